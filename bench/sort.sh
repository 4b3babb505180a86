#!/usr/bin/env bash
# Issue 22: a deep page against the first page of every sort order of the lists (keyset cursors
# over `key, id`), on PostgreSQL with a seeded region (`rsnms seed-region`). For each order: the
# median `time_total` of the first page and of a page BENCH_SORT_DEPTH rows deep (reached by
# walking the cursors), ROUNDS requests each. Writes bench/RESULTS-sort.md.
#
#   bash bench/sort.sh            # BENCH_SKIP_BUILD=1 BIN=target/debug/rsnms to reuse a build
#
# Needs: cargo, curl, jq, psql reachable at BENCH_PG_ADMIN_URL with the right to create a database.
# Drops and recreates the database BENCH_SORT_DB (rsnms_bench_sort).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
BIN="${BIN_OVERRIDE:-$BIN}"

DB="${BENCH_SORT_DB:-rsnms_bench_sort}"
TEACHERS="${BENCH_SORT_TEACHERS:-30000}"
DEPTH="${BENCH_SORT_DEPTH:-20000}"
ROUNDS="${BENCH_SORT_ROUNDS:-15}"
PORT=18096
WORK="$(mktemp -d /tmp/rsnms-bench-sort.XXXXXX)"
RESULTS="$BENCH_DIR/RESULTS-sort.md"
ORDERS=(
    "persons id" "persons name" "persons -name" "persons organization"
    "organizations id" "organizations name" "organizations -name"
    "network-requests id" "network-requests due_on" "network-requests -due_on" "network-requests sent_on"
    "network-requests received_on" "network-requests status"
    "agreements id" "agreements signed_on" "agreements number"
    "events id" "events held_on" "events -held_on"
    "routes id" "routes status" "routes -updated_at"
)

for tool in cargo curl jq psql awk; do command -v "$tool" >/dev/null || die "$tool is missing"; done
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    (cd "$REPO" && cargo build --release -p rsnms --bins) || die "build failed"
fi
fresh_db "$DB"
log "seeding $TEACHERS teachers into $DB"
DATABASE_URL="$PG_URL" "$BIN" seed-region --teachers "$TEACHERS" >"$WORK/seed.log" 2>&1 || die "seed failed: $(tail -5 "$WORK/seed.log")"
psql "$PG_URL" -qAt -c "ANALYZE" >/dev/null
TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 7200 2>"$WORK/token.log")" \
    || die "token failed: $(cat "$WORK/token.log")"
start_bg "$WORK/server.log" env DATABASE_URL="$PG_URL" RSNMS_BIND="127.0.0.1:$PORT" "$BIN" serve
wait_http "http://127.0.0.1:$PORT/health/ready" 60 || die "server did not start: $(tail -5 "$WORK/server.log")"

get() { curl -fsS -o "$WORK/page.json" -w '%{time_total}\n' -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1"; }
timed() { for _ in $(seq "$ROUNDS"); do get "$1"; done | median; }

{
    echo "# Sort orders: first page against a deep page (issue 22)"
    echo
    echo "PostgreSQL, \`rsnms seed-region --teachers $TEACHERS\`, pages of 50, median of $ROUNDS requests, $(date -u +%F)."
    echo "Load at start: $(load_now)."
    echo
    echo "| list | sort | rows | first page ms | page at row ${DEPTH} ms | deep / first |"
    echo "|---|---|---|---|---|---|"
} >"$RESULTS"
for o in "${ORDERS[@]}"; do
    read -r list sort <<<"$o"
    q=""; [ "$sort" = id ] || q="sort=$sort&"
    rows="$(get "/api/v1/$list?${q}limit=1&count=exact" >/dev/null; jq -r .count "$WORK/page.json")"
    first="$(timed "/api/v1/$list?${q}limit=50")"
    url="/api/v1/$list?${q}limit=500"; walked=0; deep="$url"
    while [ "$walked" -lt "$DEPTH" ]; do
        get "$url" >/dev/null
        c="$(jq -r '.next_cursor // empty' "$WORK/page.json")"
        [ -n "$c" ] || break
        walked=$((walked + 500)); url="/api/v1/$list?${q}limit=500&cursor=$c"; deep="/api/v1/$list?${q}limit=50&cursor=$c"
    done
    deep_ms="$(timed "$deep")"
    echo "| $list | $sort | $rows | $(fmt1 "$(awk -v a="$first" 'BEGIN{print a*1000}')") | $(fmt1 "$(awk -v a="$deep_ms" 'BEGIN{print a*1000}')") (row $walked) | $(ratio "$deep_ms" "$first") |" >>"$RESULTS"
    log "$list $sort done"
done
rm -rf "$WORK"
log "wrote $RESULTS"
