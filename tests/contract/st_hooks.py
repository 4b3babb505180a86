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


# The media types an attachment upload declares (`POST /network-requests/{id}/attachments`): the
# body is the file's raw bytes. Without a serializer schemathesis filters every generated body out.
# The server then answers 422/415 for bytes that are not what their type says, which is the rule.
ATTACHMENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)


@schemathesis.serializer(*ATTACHMENT_TYPES)
def to_raw_bytes(ctx, value):
    value = getattr(value, "data", value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
