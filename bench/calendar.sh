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
# The recompute's per-chunk timings (read, count, update, journal, commit) go to server.log.
RSNMS_LOG="${BENCH_CALENDAR_LOG:-info,rsnms_persistence::repositories::calendars=debug}" \
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

# The other writers, through psql, each write its own transaction, in a loop while the PUT runs:
# an answered request, an organisation, and the first open request (the first chunk the PUT
# recomputes: it would stay locked to the end were the recompute one transaction). Each line of
# writer.txt is "start_ns end_ns kind rc"; only the writes overlapping the PUT count.
OTHER="$(psql "$PG_URL" -qAt -c "SELECT id FROM network_requests WHERE status = 'answered' LIMIT 1")"
ORG="$(psql "$PG_URL" -qAt -c "SELECT id FROM organizations LIMIT 1")"
FIRST_OPEN="$(psql "$PG_URL" -qAt -c "SELECT id FROM network_requests WHERE status = 'received' AND due_at > now() ORDER BY id LIMIT 1")"
FLAG="$WORK/writing"; : >"$FLAG"
(
    set +e
    while [ -e "$FLAG" ]; do
        for kind in answered organisation open; do
            case $kind in
                answered) sql="UPDATE network_requests SET updated_at = now() WHERE id = '$OTHER'" ;;
                organisation) sql="UPDATE organizations SET updated_at = now() WHERE id = '$ORG'" ;;
                open) sql="UPDATE network_requests SET updated_at = now() WHERE id = '$FIRST_OPEN'" ;;
            esac
            t0="$(now_ns)"
            psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "$sql" >/dev/null 2>>"$WORK/writer.err"
            rc=$?
            printf '%s %s %s %s\n' "$t0" "$(now_ns)" "$kind" "$rc"
        done
    done
) >"$WORK/writer.txt" &
WRITER=$!
sleep 1

log "PUT /api/v1/calendars/$YEAR with $HOLIDAY as a holiday"
T0="$(now_ns)"
CODE="$(curl -sS -o "$WORK/put-answer.json" -w '%{http_code}' -X PUT --data-binary @"$WORK/put.json" \
    -H 'Content-Type: application/json' -H "If-Match: $(cat "$WORK/etag")" -H "Authorization: Bearer $TOKEN" \
    "$URL/api/v1/calendars/$YEAR")"
T1="$(now_ns)"
SECS="$(secs_since "$T0")"
LOAD_PUT="$(load_now)"
sleep 1
rm -f "$FLAG"; wait "$WRITER" || true
stop_pid "$PID"
[ "$CODE" = 200 ] || die "PUT answered $CODE: $(head -c 500 "$WORK/put-answer.json")"
RECOMPUTED="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recomputed_requests"])' "$WORK/put-answer.json")"
# Writes overlapping the PUT: count, failures, and the longest of each kind.
during() { awk -v a="$T0" -v b="$T1" -v k="$1" '$1 < b && $2 > a && (k == "" || $3 == k)' "$WORK/writer.txt"; }
WRITES="$(during "" | wc -l)"
FAILED="$(during "" | awk '$4 != 0' | wc -l)"
longest() { during "$1" | awk 'BEGIN {m = 0} {d = ($2 - $1) / 1e9; if (d > m) m = d} END {printf "%.3f", m}'; }
LONGEST="$(longest "")"
LONG_ANSWERED="$(longest answered)"; LONG_ORG="$(longest organisation)"; LONG_OPEN="$(longest open)"
log "  $SECS s, $RECOMPUTED recomputed; the other writers: $WRITES writes ($FAILED failed), longest $LONGEST s (answered $LONG_ANSWERED, organisation $LONG_ORG, open request $LONG_OPEN)"
[ "$WRITES" -gt 0 ] || die "no other write overlapped the PUT: see $WORK/writer.txt and $WORK/writer.err"
[ "$FAILED" = 0 ] || die "other writes failed: $(head -3 "$WORK/writer.err")"
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
    echo "| requests | open (received, not yet due) | recomputed by the PUT | PUT wall time | goal < 10 s | other writes during it | longest: answered request | organisation | first open request |"
    echo "|---|---|---|---|---|---|---|---|---|"
    echo "| $ROWS | $OPEN | $RECOMPUTED | $(fmt2 "$SECS") s | $MET | $WRITES | $LONG_ANSWERED s | $LONG_ORG s | $LONG_OPEN s |"
    echo
    echo "\`PUT /api/v1/calendars/$YEAR\` (federal layer) adding $HOLIDAY as a holiday, as admin, with \`If-Match\`."
    echo "The layer commits first; then the server recomputes the due dates of every open request whose"
    echo "term crosses the year, in chunks of 2 000, each in its own short transaction (the chunk's rows read"
    echo "again \`FOR UPDATE\`, the terms counted in memory, one \`UPDATE … FROM UNNEST(…)\` of the changed"
    echo "ones, their audit records and outbox events in two multi-row inserts), and answers when all are done."
    echo "Three other writers loop through \`psql\` while the PUT runs (each write its own transaction, a new"
    echo "psql process each: ~10–20 ms of the figure is psql's start): an answered request, an organisation"
    echo "and the first open request (the PUT's first chunk); a write counts when it overlaps the PUT, and"
    echo "its longest time is what the PUT's locks cost others."
    echo
    echo "Raw outputs of this run: \`$WORK\`."
} >"$RESULTS"
log "results written to $RESULTS"
cat "$RESULTS"
