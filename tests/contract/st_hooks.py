"""schemathesis hooks for rsnms: serializers for the bulk-import media types (NDJSON, CSV)."""
import csv
import io
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def to_ndjson(ctx, value):
    rows = value if isinstance(value, list) else [value]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


@schemathesis.serializer("text/csv")
def to_csv(ctx, value):
    rows = value if isinstance(value, list) else [value]
    rows = [r for r in rows if isinstance(r, dict)] or [{"value": json.dumps(value)}]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=sorted({k for r in rows for k in r}))
    writer.writeheader()
    for r in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in r.items()})
    return out.getvalue().encode("utf-8")
