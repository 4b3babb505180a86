#!/usr/bin/env bash
# Issue 3: (a) due dates computed per second by the calendar engine against a naive day-by-day
# loop on the same inputs; (b) p99 of `GET /api/v1/network-requests?overdue=true` (first and a
# deep page) at 1 M requests on PostgreSQL, against the same list without the filter, with the
# query plans. Writes bench/RESULTS-deadlines.md; see bench/README.md ("Deadlines").
#
#   bash bench/deadlines.sh
#
# Needs: cargo, wrk, curl, psql (PostgreSQL 15) reachable at BENCH_PG_ADMIN_URL with the right to
# create a database. Drops and recreates the database BENCH_DEADLINES_DB (rsnms_bench_deadlines).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

DB="${BENCH_DEADLINES_DB:-rsnms_bench_deadlines}"
ROWS="${BENCH_ROWS:-1000000}"                       # network requests generated
OVERDUE_PERMILLE="${BENCH_OVERDUE_PERMILLE:-50}"    # ‰ of them received and overdue
CAL_INPUTS="${BENCH_CAL_INPUTS:-200000}"            # inputs of the calendar case
CAL_ROUNDS="${BENCH_CAL_ROUNDS:-7}"
DURATION="${BENCH_DURATION:-10s}"
ROUNDS="${BENCH_ROUNDS:-3}"
HTTP_CONNECTIONS="${BENCH_HTTP_CONNECTIONS:-32}"
PAGE_LIMIT="${BENCH_PAGE_LIMIT:-50}"
PORT=18095
WORK="$(mktemp -d /tmp/rsnms-bench-deadlines.XXXXXX)"
RESULTS="$BENCH_DIR/RESULTS-deadlines.md"
EXAMPLE="$CARGO_TARGET_DIR/release/examples/calendar_bench"

for tool in cargo wrk curl psql awk; do command -v "$tool" >/dev/null || die "$tool is missing (wrk: apt-get install -y wrk)"; done

log "work dir $WORK"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    log "BENCH_SKIP_BUILD=1: using the existing $BIN and $EXAMPLE"
else
    log "building rsnms and the calendar_bench example (release) into $CARGO_TARGET_DIR"
    (cd "$REPO" && cargo build --release -p rsnms -p rsnms-domain --bins --example calendar_bench) \
        || die "build failed"
fi
[ -x "$BIN" ] || die "$BIN not found"
[ -x "$EXAMPLE" ] || die "$EXAMPLE not found"
LOAD_START="$(load_now)"; BUSY_START="$(busiest)"

# ---------------------------------------------------------------------------------------------
log "case A: calendar engine vs naive day-by-day loop ($CAL_INPUTS inputs, $CAL_ROUNDS alternating rounds)"
LOAD_A="$(load_now)"
"$EXAMPLE" "$CAL_INPUTS" "$CAL_ROUNDS" >"$WORK/calendar.out" || die "calendar_bench failed: $(tail -3 "$WORK/calendar.out")"
kv() { awk -F= -v k="$1" '$1 == k {print $2}' "$WORK/calendar.out"; }
A_FAST="$(kv fast_per_s)"; A_NAIVE="$(kv naive_per_s)"; A_RATIO="$(kv ratio)"
log "  engine $A_FAST /s, naive $A_NAIVE /s, ratio $A_RATIO"

# ---------------------------------------------------------------------------------------------
log "case B: PostgreSQL: fresh database $DB, 1 000 organisations, $ROWS network requests"
fresh_db "$DB"
psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows=1000 -f "$BENCH_DIR/generate_region.sql" >"$WORK/orgs.log" 2>&1 \
    || die "organisations failed: $(tail -5 "$WORK/orgs.log")"
# The server seeds the calendars and deadline policies at start; the requests need a policy.
DATABASE_URL="$PG_URL" RSNMS_BIND="127.0.0.1:$PORT" start_bg "$WORK/server.log" "$BIN" serve
PID=$LAST_PID
wait_http "http://127.0.0.1:$PORT/health/ready" 60 || die "rsnms did not start: $(tail -5 "$WORK/server.log")"
GEN_START=$SECONDS
psql "$PG_URL" -v ON_ERROR_STOP=1 -v rows="$ROWS" -v overdue_permille="$OVERDUE_PERMILLE" \
    -f "$BENCH_DIR/generate_requests.sql" >"$WORK/generate.log" 2>&1 || die "requests failed: $(tail -5 "$WORK/generate.log")"
GEN_SECONDS=$((SECONDS - GEN_START))
COUNT="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM network_requests")"
OVERDUE="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM network_requests WHERE status = 'received' AND due_at <= now()")"
log "  $COUNT requests ($OVERDUE overdue) in ${GEN_SECONDS}s"

TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 7200 2>"$WORK/token.log")" \
    || die "token failed: $(cat "$WORK/token.log")"
AUTH=(-H "Authorization: Bearer $TOKEN")

# The deep page: the cursor after the middle overdue row (URL-safe base64 of its 16 bytes, what
# the server's encode_cursor produces). The unfiltered baseline continues from the same id.
MID=$((OVERDUE / 2))
MID_ID="$(psql "$PG_URL" -qAt -c "SELECT id FROM network_requests WHERE status = 'received' AND due_at <= now()
    ORDER BY id OFFSET $((MID - 1)) LIMIT 1")"
CURSOR="$(psql "$PG_URL" -qAt -c "SELECT rtrim(translate(encode(uuid_send('$MID_ID'::uuid), 'base64'), '+/', '-_'), '=')")"
DEEP_PAGE=$((MID / PAGE_LIMIT + 1))
BASE="http://127.0.0.1:$PORT/api/v1/network-requests?limit=$PAGE_LIMIT"
NAMES=(overdue-p1 all-p1 overdue-deep all-deep)
URLS=("$BASE&overdue=true" "$BASE" "$BASE&overdue=true&cursor=$CURSOR" "$BASE&cursor=$CURSOR")
declare -A ITEMS
for i in "${!NAMES[@]}"; do
    body="$(curl -fsS "${AUTH[@]}" "${URLS[$i]}")" || die "GET ${URLS[$i]} failed"
    ITEMS[${NAMES[$i]}]="$(grep -o '"status":"[a-z]*"' <<<"$body" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep = ", "}')"
done
[[ "${ITEMS[overdue-deep]}" == *received* ]] || die "the deep overdue page holds no received request"

# Plans of the statements sea-orm sends for the two overdue pages (the same SQL, values inlined).
explain() { # extra-condition
    psql "$PG_URL" -qAt -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON)
        SELECT * FROM network_requests WHERE status = 'received' AND due_at <= now() $1 ORDER BY id LIMIT $((PAGE_LIMIT + 1))"
}
explain "" >"$WORK/explain-p1.txt"
explain "AND id > '$MID_ID'" >"$WORK/explain-deep.txt"

WRK=(wrk -t1 -c"$HTTP_CONNECTIONS" -d"$DURATION" --latency)
for n in "${NAMES[@]}"; do : >"$WORK/$n.p99"; : >"$WORK/$n.rps"; done
ERRORS=0
LOAD_B="$(load_now)"
log "case B: wrk, $ROUNDS rounds of ${NAMES[*]} in alternation"
for r in $(seq "$ROUNDS"); do
    for i in "${!NAMES[@]}"; do
        n="${NAMES[$i]}"
        "${WRK[@]}" "${AUTH[@]}" "${URLS[$i]}" >"$WORK/$n-$r.out"
        wrk_p99_ms "$WORK/$n-$r.out" >>"$WORK/$n.p99"
        wrk_rps "$WORK/$n-$r.out" >>"$WORK/$n.rps"
        ERRORS=$((ERRORS + $(wrk_errors "$WORK/$n-$r.out")))
    done
    log "  round $r: p99 ms overdue p1 $(tail -1 "$WORK/overdue-p1.p99"), all p1 $(tail -1 "$WORK/all-p1.p99"), overdue deep $(tail -1 "$WORK/overdue-deep.p99"), all deep $(tail -1 "$WORK/all-deep.p99")"
done
stop_pid "$PID"
declare -A P99 RPS
for n in "${NAMES[@]}"; do P99[$n]="$(median <"$WORK/$n.p99")"; RPS[$n]="$(median <"$WORK/$n.rps")"; done
LOAD_END="$(load_now)"; BUSY_END="$(busiest)"

# ---------------------------------------------------------------------------------------------
uses_index() { grep -oE 'Index (Only )?Scan( Backward)? using [a-z_]+' "$1" | head -1; }
{
    echo "# Deadlines benchmark (issue 3) — results"
    echo
    echo "Written by \`bash bench/deadlines.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); see [README.md](README.md#deadlines-issue-3)."
    echo
    echo "## Machine"
    echo
    machine_block
    echo
    echo "Load average (1/5/15 min) at the start $LOAD_START, at the end $LOAD_END; busiest processes at the start:"
    echo "$BUSY_START at the end: $BUSY_END"
    echo
    echo "## A. Due dates per second: calendar engine vs a naive day-by-day loop"
    echo
    echo "| side | due dates / s (median of $CAL_ROUNDS) |"
    echo "|---|---|"
    echo "| engine (\`compute_due\`, \`compute_due_hours\`: per-year bitsets with running counts) | $A_FAST |"
    echo "| naive loop (day by day over the raw layer lists, \`is_working_day_naive\`) | $A_NAIVE |"
    echo "| **ratio** | **$A_RATIO×** |"
    echo
    echo "$CAL_INPUTS inputs (load $LOAD_A): receipt instants over 2021-01-01..2026-12-31, terms cycling 5 working days,"
    echo "30 calendar days, 30 working days, 24 hours, 72 hours, federal and Buryatia calendars alternately;"
    echo "both sides return the full \`Deadline\` (incl. the skipped days) and were checked equal on every"
    echo "input before timing. Rounds (engine / naive, per second):"
    echo
    echo '```'
    grep '^round=' "$WORK/calendar.out"
    echo '```'
    echo
    echo "## B. p99 of the overdue list at $COUNT requests (PostgreSQL)"
    echo
    echo "\`GET /api/v1/network-requests?overdue=true&limit=$PAGE_LIMIT\` as admin, against the same list without"
    echo "the filter, at the same position (page 1, and the same cursor for the deep page)."
    echo "$OVERDUE overdue requests ($OVERDUE_PERMILLE ‰); the deep page is page $DEEP_PAGE of the overdue list"
    echo "(the cursor after overdue row $MID). \`wrk -t1 -c$HTTP_CONNECTIONS\`, $ROUNDS rounds of $DURATION, the four URLs"
    echo "in alternation; medians."
    echo
    echo "| page | p99 overdue | p99 unfiltered (baseline) | ratio | req/s overdue / unfiltered | items on the page |"
    echo "|---|---|---|---|---|---|"
    echo "| first | $(fmt2 "${P99[overdue-p1]}") ms | $(fmt2 "${P99[all-p1]}") ms | $(ratio "${P99[overdue-p1]}" "${P99[all-p1]}") | $(fmt0 "${RPS[overdue-p1]}") / $(fmt0 "${RPS[all-p1]}") | ${ITEMS[overdue-p1]} / ${ITEMS[all-p1]} |"
    echo "| deep (page $DEEP_PAGE) | $(fmt2 "${P99[overdue-deep]}") ms | $(fmt2 "${P99[all-deep]}") ms | $(ratio "${P99[overdue-deep]}" "${P99[all-deep]}") | $(fmt0 "${RPS[overdue-deep]}") / $(fmt0 "${RPS[all-deep]}") | ${ITEMS[overdue-deep]} / ${ITEMS[all-deep]} |"
    echo
    echo "Deep vs first overdue page: $(ratio "${P99[overdue-deep]}" "${P99[overdue-p1]}") (keyset pagination: ≈ 1 expected). Errors: $ERRORS."
    echo "Rounds (p99 ms): overdue p1 $(list "$WORK/overdue-p1.p99"); unfiltered p1 $(list "$WORK/all-p1.p99");"
    echo "overdue deep $(list "$WORK/overdue-deep.p99"); unfiltered deep $(list "$WORK/all-deep.p99"). Load $LOAD_B."
    echo "Data: $COUNT rows by \`generate_requests.sql\` in ${GEN_SECONDS} s."
    echo
    echo "### Plans"
    echo
    echo "The statement the server sends for the overdue list (\`status = 'received' AND due_at <= now\`,"
    echo "order by id, limit + 1), values inlined. First page — $(uses_index "$WORK/explain-p1.txt"):"
    echo
    echo '```'
    cat "$WORK/explain-p1.txt"
    echo '```'
    echo
    echo "Deep page (\`AND id > cursor\`) — $(uses_index "$WORK/explain-deep.txt"):"
    echo
    echo '```'
    cat "$WORK/explain-deep.txt"
    echo '```'
    echo
    echo "Raw outputs of this run: \`$WORK\` (wrk, server log, calendar_bench output)."
} >"$RESULTS"

log "results written to $RESULTS"
cat "$RESULTS"
