#!/usr/bin/env bash
# Issue 19 (4): a calendar PUT that adds a holiday, at 1 M network requests of which 5 % are
# received and not yet due (every one of them recomputed), on PostgreSQL; goal < 10 s. While the
# PUT runs, a writer keeps changing other requests' rows and organisations: the longest of its
# writes shows whether the PUT stops other writes. Writes bench/RESULTS-calendar.md.
#
#   bash bench/calendar.sh
#   BENCH_ROWS=200000 BENCH_SKIP_BUILD=1 bash bench/calendar.sh
#
# Needs: cargo, curl, python3, psql (PostgreSQL 15) reachable at BENCH_PG_ADMIN_URL with the right
# to create a database. Drops and recreates the database BENCH_CALENDAR_DB (rsnms_bench_calendar).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

DB="${BENCH_CALENDAR_DB:-rsnms_bench_calendar}"
ROWS="${BENCH_ROWS:-1000000}"
RESULTS="${BENCH_CALENDAR_RESULTS:-$BENCH_DIR/RESULTS-calendar.md}"
PORT=18096
WORK="$(mktemp -d /tmp/rsnms-bench-calendar.XXXXXX)"
trap cleanup EXIT

for tool in cargo curl psql python3 awk; do command -v "$tool" >/dev/null || die "$tool is missing"; done
log "work dir $WORK"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    log "BENCH_SKIP_BUILD=1: using the existing $BIN"
else
    (cd "$REPO" && cargo build --release -p rsnms) || die "build failed"
fi
[ -x "$BIN" ] || die "$BIN not found"
LOAD_START="$(load_now)"

log "PostgreSQL: fresh database $DB, 1 000 organisations, $ROWS network requests"
fresh_db "$DB"
psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows=1000 -f "$BENCH_DIR/generate_region.sql" >"$WORK/orgs.log" 2>&1 \
    || die "organisations failed: $(tail -5 "$WORK/orgs.log")"
URL="http://127.0.0.1:$PORT"
DATABASE_URL="$PG_URL" RSNMS_BIND="127.0.0.1:$PORT" start_bg "$WORK/server.log" "$BIN" serve
PID=$LAST_PID
wait_http "$URL/health/ready" 60 || die "rsnms did not start: $(tail -5 "$WORK/server.log")"
# 50 ‰ overdue and 50 ‰ received, due in 1–60 days (generate_requests.sql): 5 % open.
psql "$PG_URL" -v ON_ERROR_STOP=1 -v rows="$ROWS" -v overdue_permille=50 \
    -f "$BENCH_DIR/generate_requests.sql" >"$WORK/generate.log" 2>&1 || die "requests failed: $(tail -5 "$WORK/generate.log")"
OPEN="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM network_requests WHERE status = 'received' AND due_at > now()")"
log "  $ROWS requests, $OPEN open"
TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 7200 2>"$WORK/token.log")" \
    || die "token failed: $(cat "$WORK/token.log")"

# The federal layer of this year with one more holiday: the first Monday–Friday after tomorrow
# that is a working day now (inside the open requests' terms).
YEAR="$(date -u +%Y)"
curl -sS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/calendars/$YEAR" >"$WORK/year.json"
python3 - "$WORK/year.json" "$WORK/put.json" "$WORK/etag" <<'PY'
import datetime, json, sys
year = json.load(open(sys.argv[1]))["federal"]
off = set(year["non_working_days"])
day = datetime.date.today() + datetime.timedelta(days=2)
while day.weekday() >= 5 or day.isoformat() in off:
    day += datetime.timedelta(days=1)
if day.year != datetime.date.today().year:
    sys.exit("no working day left this year to move")
body = {"source": "bench/calendar.sh: перенос выходного", "non_working_days": sorted(off | {day.isoformat()}),
        "working_weekend_days": year["working_weekend_days"]}
json.dump(body, open(sys.argv[2], "w"), ensure_ascii=False)
open(sys.argv[3], "w").write('"%d"' % year["version"])
print(day, file=sys.stderr)
PY
HOLIDAY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["non_working_days"][-1])' "$WORK/put.json")"

# The other writer: one request that is not open (answered) and an organisation, rewritten in a loop
# through PostgreSQL; the longest single write while the PUT runs.
OTHER="$(psql "$PG_URL" -qAt -c "SELECT id FROM network_requests WHERE status = 'answered' LIMIT 1")"
ORG="$(psql "$PG_URL" -qAt -c "SELECT id FROM organizations LIMIT 1")"
FLAG="$WORK/writing"; : >"$FLAG"
(
    while [ -e "$FLAG" ]; do
        t0="$(now_ns)"
        psql "$PG_URL" -qAt -c "UPDATE network_requests SET updated_at = now() WHERE id = '$OTHER'; UPDATE organizations SET updated_at = now() WHERE id = '$ORG'" >/dev/null
        secs_since "$t0"
    done
) >"$WORK/writer.txt" &
WRITER=$!
sleep 1

log "PUT /api/v1/calendars/$YEAR with $HOLIDAY as a holiday"
T0="$(now_ns)"
CODE="$(curl -sS -o "$WORK/put-answer.json" -w '%{http_code}' -X PUT --data-binary @"$WORK/put.json" \
    -H 'Content-Type: application/json' -H "If-Match: $(cat "$WORK/etag")" -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/calendars/$YEAR")"
SECS="$(secs_since "$T0")"
LOAD_PUT="$(load_now)"
sleep 1
rm -f "$FLAG"; wait "$WRITER" || true
stop_pid "$PID"
[ "$CODE" = 200 ] || die "PUT answered $CODE: $(head -c 500 "$WORK/put-answer.json")"
RECOMPUTED="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recomputed_requests"])' "$WORK/put-answer.json")"
WRITES="$(wc -l <"$WORK/writer.txt")"
LONGEST="$(sort -g "$WORK/writer.txt" | tail -1)"
log "  $SECS s, $RECOMPUTED recomputed; the other writer: $WRITES writes, longest $LONGEST s"
MET="$(awk -v s="$SECS" 'BEGIN {print (s < 10) ? "**yes**" : "**no**"}')"

{
    echo "# Calendar change at scale (issue 19) — results"
    echo
    echo "Written by \`bash bench/calendar.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); see [README.md](README.md#calendar-changes-at-scale-issue-19)."
    echo
    echo "## Machine"
    echo
    machine_block
    echo
    echo "Load average at the start $LOAD_START, right after the PUT $LOAD_PUT."
    echo
    echo "## Result"
    echo
    echo "| requests | open (received, not yet due) | recomputed by the PUT | PUT wall time | goal < 10 s | longest other write during it |"
    echo "|---|---|---|---|---|---|"
    echo "| $ROWS | $OPEN | $RECOMPUTED | $(fmt2 "$SECS") s | $MET | $(fmt2 "$LONGEST") s ($WRITES writes) |"
    echo
    echo "\`PUT /api/v1/calendars/$YEAR\` (federal layer) adding $HOLIDAY as a holiday, as admin, with \`If-Match\`."
    echo "The server recomputes the due dates of every open request whose term crosses the year, in chunks"
    echo "of 1 000 (one keyset read, the terms counted in memory, one \`UPDATE … FROM UNNEST(…)\` of the changed"
    echo "ones, their audit records and outbox events in two multi-row inserts), inside the PUT's transaction."
    echo "The other writer updates an answered request and an organisation in a loop through \`psql\` while"
    echo "the PUT runs; its longest write is what the PUT's locks cost others (row locks only: the rows"
    echo "it rewrites)."
    echo
    echo "Raw outputs of this run: \`$WORK\`."
} >"$RESULTS"
log "results written to $RESULTS"
cat "$RESULTS"
