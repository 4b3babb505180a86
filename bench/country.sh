#!/usr/bin/env bash
# Issue 19 item 3: the whole country on one database. Two PostgreSQL databases — one holding only
# the home region (region 03), one holding the whole country (BENCH_REGIONS regions, the home region
# identical in both: the country's database is a copy of the region's to which the other regions are
# appended) — generated in SQL by bench/generate_country.sql; one release server on each; then
# p50/p99 (wrk --latency; the report, seconds long, by a curl loop) of the home region's reads,
# side by side, alternated region/country round by round. Writes bench/RESULTS-country.md.
#
#   bash bench/country.sh
#   BENCH_SKIP_BUILD=1 BENCH_REGIONS=20 bash bench/country.sh
#   BENCH_SKIP_GENERATE=1 bash bench/country.sh      # reuse the two databases of a previous run
#   BENCH_SKIP_GENERATE=1 BENCH_CASES="3 8 9" bash bench/country.sh   # only some cases
#
# Knobs: BENCH_REGIONS (85), BENCH_TEACHERS (13 700 per region), BENCH_MUNICIPALITIES (23 per
# region), BENCH_YEARS (2024,2025), BENCH_DURATION (5s), BENCH_ROUNDS (2), BENCH_HTTP_CONNECTIONS (2),
# BENCH_REPORT_REPEATS (5), BENCH_CASES, BENCH_COUNTRY_RESULTS (where to write), BENCH_DROP.
#
# Needs: cargo, wrk, curl, psql (PostgreSQL 15) reachable at BENCH_PG_ADMIN_URL with the right to
# create a database. Drops and recreates rsnms_country_region and rsnms_country_all
# (BENCH_COUNTRY_DB_PREFIX); BENCH_DROP=1 drops them at the end.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

PREFIX="${BENCH_COUNTRY_DB_PREFIX:-rsnms_country_}"
REGION_DB="${PREFIX}region"
COUNTRY_DB="${PREFIX}all"
REGIONS="${BENCH_REGIONS:-85}"
TEACHERS="${BENCH_TEACHERS:-13700}"          # per region
MUNICIPALITIES="${BENCH_MUNICIPALITIES:-23}" # per region
YEARS="${BENCH_YEARS:-2024,2025}"
YEAR="${YEARS##*,}"
HOME_REGION=3
HOME_CODE=03
DURATION="${BENCH_DURATION:-5s}"
ROUNDS="${BENCH_ROUNDS:-2}"
HTTP_CONNECTIONS="${BENCH_HTTP_CONNECTIONS:-2}"
REPORT_REPEATS="${BENCH_REPORT_REPEATS:-5}"
ONLY="${BENCH_CASES:-}"                     # e.g. "3 8 9": only these cases (default all)
PORT_REGION=18097
PORT_COUNTRY=18098
WORK="$(mktemp -d /tmp/rsnms-bench-country.XXXXXX)"
RESULTS="${BENCH_COUNTRY_RESULTS:-$BENCH_DIR/RESULTS-country.md}"
COMMAND="$(printf '%s ' "$0" "$@")"

for tool in cargo wrk curl psql awk; do command -v "$tool" >/dev/null || die "$tool is missing (wrk: apt-get install -y wrk)"; done
log "work dir $WORK"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    log "BENCH_SKIP_BUILD=1: using the existing $BIN"
else
    log "building rsnms (release) into $CARGO_TARGET_DIR"
    (cd "$REPO" && cargo build --release -p rsnms) || die "build failed"
fi
[ -x "$BIN" ] || die "$BIN not found"
LOAD_START="$(load_now)"

url_of() { echo "${PG_ADMIN_URL%/*}/$1"; }
REGION_URL="$(url_of "$REGION_DB")"
COUNTRY_URL="$(url_of "$COUNTRY_DB")"

generate() { # db_url log args...
    local url=$1 logf=$2
    shift 2
    psql "$url" -q -v ON_ERROR_STOP=1 -v teachers="$TEACHERS" -v municipalities="$MUNICIPALITIES" -v years="$YEARS" \
        "$@" -f "$BENCH_DIR/generate_country.sql" >"$logf" 2>&1 || die "generation failed: $(tail -5 "$logf")"
}

if [ "${BENCH_SKIP_GENERATE:-0}" = 1 ]; then
    log "BENCH_SKIP_GENERATE=1: reusing $REGION_DB and $COUNTRY_DB"
    GEN_REGION_S="(reused)"; GEN_COUNTRY_S="(reused)"; VACUUM_S="(reused)"
else
    log "database $REGION_DB: migrate, seed (one server start), generate the home region"
    psql "$PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS $COUNTRY_DB WITH (FORCE)" >/dev/null
    fresh_db "$REGION_DB"
    DATABASE_URL="$REGION_URL" RSNMS_BIND="127.0.0.1:$PORT_REGION" start_bg "$WORK/seed.log" "$BIN" serve
    wait_http "http://127.0.0.1:$PORT_REGION/health/ready" 120 || die "server did not start: $(tail -5 "$WORK/seed.log")"
    stop_pid "$LAST_PID"
    t0=$(now_ns)
    generate "$REGION_URL" "$WORK/gen-region.log" -v region_from=$HOME_REGION -v region_to=$HOME_REGION
    GEN_REGION_S=$(secs_since "$t0")
    log "  home region in ${GEN_REGION_S} s"

    log "database $COUNTRY_DB: a copy of $REGION_DB, then the other $((REGIONS - 1)) regions"
    t0=$(now_ns)
    psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $COUNTRY_DB TEMPLATE $REGION_DB" >/dev/null
    COPY_S=$(secs_since "$t0")
    t0=$(now_ns)
    generate "$COUNTRY_URL" "$WORK/gen-country.log" -v region_from=1 -v region_to="$REGIONS" -v skip=$HOME_REGION -v catalogues=0
    GEN_COUNTRY_S=$(secs_since "$t0")
    log "  copy ${COPY_S} s, $((REGIONS - 1)) regions in ${GEN_COUNTRY_S} s"
    t0=$(now_ns)
    psql "$REGION_URL" -qAt -c "VACUUM ANALYZE" >/dev/null
    psql "$COUNTRY_URL" -qAt -c "VACUUM ANALYZE" >/dev/null
    VACUUM_S=$(secs_since "$t0")
fi

# Bring both to the binary's migrations (a run after a new migration, with BENCH_SKIP_GENERATE=1).
DATABASE_URL="$REGION_URL" "$BIN" migrate >"$WORK/migrate-region.log" 2>&1 || die "migrate failed"
DATABASE_URL="$COUNTRY_URL" "$BIN" migrate >"$WORK/migrate-country.log" 2>&1 || die "migrate failed"

counts() {
    psql "$1" -qAt -F' | ' -c "SELECT
        (SELECT count(DISTINCT region_code) FROM organizations), (SELECT count(*) FROM organizations),
        (SELECT count(*) FROM persons), (SELECT count(*) FROM diagnostic_results), (SELECT count(*) FROM individual_routes),
        (SELECT count(*) FROM network_requests),
        (SELECT count(*) FROM network_requests WHERE status = 'received' AND due_at <= now()),
        (SELECT count(*) FROM agreements), (SELECT count(*) FROM outbox),
        pg_size_pretty(pg_database_size(current_database()))"
}
COUNTS_REGION="$(counts "$REGION_URL")"
COUNTS_COUNTRY="$(counts "$COUNTRY_URL")"

# The home region's handles: its first municipality and that municipality's authority; the
# middle of the home region's change events (the same position in both databases: the home
# region's events come first in both).
MUN="$(psql "$REGION_URL" -qAt -c "SELECT min(municipality_code) FROM organizations WHERE region_code = '$HOME_CODE' AND kind = 'municipal_authority'")"
MUN_ORG="$(psql "$REGION_URL" -qAt -c "SELECT id FROM organizations WHERE kind = 'municipal_authority' AND region_code = '$HOME_CODE' AND municipality_code = '$MUN'")"
DEEP="$(psql "$REGION_URL" -qAt -c "SELECT max(pub_seq) / 2 FROM outbox")"
[ "$(psql "$COUNTRY_URL" -qAt -c "SELECT id FROM organizations WHERE kind = 'municipal_authority' AND municipality_code = '$MUN'")" = "$MUN_ORG" ] \
    || die "the home region differs between the databases"

log "servers: region on $PORT_REGION, country on $PORT_COUNTRY"
DATABASE_URL="$REGION_URL" RSNMS_BIND="127.0.0.1:$PORT_REGION" start_bg "$WORK/server-region.log" "$BIN" serve
DATABASE_URL="$COUNTRY_URL" RSNMS_BIND="127.0.0.1:$PORT_COUNTRY" start_bg "$WORK/server-country.log" "$BIN" serve
wait_http "http://127.0.0.1:$PORT_REGION/health/ready" 120 || die "region server did not start"
wait_http "http://127.0.0.1:$PORT_COUNTRY/health/ready" 120 || die "country server did not start"
declare -A TOKEN
for side in region country; do
    url=$REGION_URL; [ $side = country ] && url=$COUNTRY_URL
    TOKEN[$side-operator]="$(DATABASE_URL="$url" "$BIN" token --role operator --ttl 7200)"
    TOKEN[$side-municipal]="$(DATABASE_URL="$url" "$BIN" token --role municipal --organization "$MUN_ORG" --ttl 7200)"
done
port_of() { if [ "$1" = region ]; then echo $PORT_REGION; else echo $PORT_COUNTRY; fi; }

# The cases: label | caller | path.
CASES=(
    "monitoring report of the year|operator|/api/v1/monitoring/report?year=$YEAR"
    "monitoring report of the year|municipal|/api/v1/monitoring/report?year=$YEAR"
    "persons of one municipality, page 1|operator|/api/v1/persons?municipality_code=$MUN&limit=50"
    "overdue network requests, page 1|operator|/api/v1/network-requests?overdue=true&limit=50"
    "overdue network requests, page 1|municipal|/api/v1/network-requests?overdue=true&limit=50"
    "changes, first page|operator|/api/v1/changes?limit=100"
    "changes, deep cursor (after=$DEEP)|operator|/api/v1/changes?limit=100&after=$DEEP"
    "changes, first page|municipal|/api/v1/changes?limit=100"
    "changes, deep cursor (after=$DEEP)|municipal|/api/v1/changes?limit=100&after=$DEEP"
)

pct_ms() { # wrk-file percent → ms
    awk -v p="$2%" '$1 == p {
        v = $2; n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        print n }' "$1"
}
pick() { sort -g | awk -v q="$1" '{v[NR] = $1} END {i = int(NR * q + 0.999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i]}'; }

# Every URL answers 200 on both sides before anything is timed (this also warms both servers up).
j=0
for c in "${CASES[@]}"; do
    IFS='|' read -r _ who path <<<"$c"
    j=$((j + 1))
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $j "* ]]; then continue; fi
    for side in region country; do
        code=$(curl -s -o "$WORK/check.json" -w '%{http_code}' -H "Authorization: Bearer ${TOKEN[$side-$who]}" \
            "http://127.0.0.1:$(port_of $side)$path")
        [ "$code" = 200 ] || die "$side $who $path answered $code: $(head -c 300 "$WORK/check.json")"
    done
done

ROWS_MD=""
i=0
for c in "${CASES[@]}"; do
    IFS='|' read -r label who path <<<"$c"
    i=$((i + 1))
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $i "* ]]; then continue; fi
    log "case $i: $label as $who"
    for side in region country; do : >"$WORK/c$i-$side-p50"; : >"$WORK/c$i-$side-p99"; : >"$WORK/c$i-$side-rps"; done
    case "$path" in
    */monitoring/report*)
        # Seconds per request: a curl loop, requests alternated side by side.
        for side in region country; do : >"$WORK/c$i-$side-ms"; done
        for _ in $(seq 1 "$REPORT_REPEATS"); do
            for side in region country; do
                curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer ${TOKEN[$side-$who]}" \
                    "http://127.0.0.1:$(port_of $side)$path" | awk '{printf "%.1f\n", $1 * 1000}' >>"$WORK/c$i-$side-ms"
            done
        done
        for side in region country; do
            pick 0.5 <"$WORK/c$i-$side-ms" >"$WORK/c$i-$side-p50"
            pick 0.99 <"$WORK/c$i-$side-ms" >"$WORK/c$i-$side-p99"
            echo "-" >"$WORK/c$i-$side-rps"
        done
        how="curl ×$REPORT_REPEATS"
        ;;
    *)
        for r in $(seq 1 "$ROUNDS"); do
            for side in region country; do
                out="$WORK/c$i-$side-r$r.wrk"
                wrk -t1 -c"$HTTP_CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer ${TOKEN[$side-$who]}" \
                    "http://127.0.0.1:$(port_of $side)$path" >"$out" 2>&1
                [ "$(wrk_errors "$out")" = 0 ] || die "errors in $out"
                pct_ms "$out" 50 >>"$WORK/c$i-$side-p50"
                pct_ms "$out" 99 >>"$WORK/c$i-$side-p99"
                wrk_rps "$out" >>"$WORK/c$i-$side-rps"
            done
        done
        how="wrk ×$ROUNDS"
        ;;
    esac
    for side in region country; do
        for q in p50 p99 rps; do
            v=$(median <"$WORK/c$i-$side-$q")
            printf -v "V_${side}_$q" '%s' "$v"
        done
    done
    r50=$(ratio "$V_country_p50" "$V_region_p50"); r99=$(ratio "$V_country_p99" "$V_region_p99")
    verdict=$(awk -v a="$r50" -v b="$r99" 'BEGIN {print (a <= 1.5 && b <= 1.5) ? "yes" : "**no**"}')
    log "  region p50 $V_region_p50 ms p99 $V_region_p99 ms; country p50 $V_country_p50 ms p99 $V_country_p99 ms; ×$r50 / ×$r99"
    ROWS_MD+="| $i | $label | $who | $(fmt2 "$V_region_p50") / $(fmt2 "$V_region_p99") | $(fmt2 "$V_country_p50") / $(fmt2 "$V_country_p99") | **$r50** / **$r99** | $verdict | $how; $(load_now) |"$'\n'
done
LOAD_END="$(load_now)"

cat >"$RESULTS" <<MD
# The whole country on one database (issue 19 item 3) — recorded figures

Produced by \`bash bench/country.sh\` (\`$COMMAND\`) on $(date -u '+%Y-%m-%d %H:%M UTC'); release build; raw
outputs in \`$WORK\`. Load average at the start $LOAD_START, at the end $LOAD_END (2 cores shared with
other engineers' builds and tests).

## Data (bench/generate_country.sql)

| database | regions | organisations | persons | diagnostic results | routes | network requests | overdue | agreements | change events | size |
|---|---|---|---|---|---|---|---|---|---|---|
| \`$REGION_DB\` (home region $HOME_CODE) | $COUNTS_REGION |
| \`$COUNTRY_DB\` (the country) | $COUNTS_COUNTRY |

Generation: the home region ${GEN_REGION_S} s; the copy (\`CREATE DATABASE … TEMPLATE\`) ${COPY_S:-(reused)} s; the other
$((REGIONS - 1)) regions ${GEN_COUNTRY_S} s; \`VACUUM ANALYZE\` of both ${VACUUM_S} s. Per region: $TEACHERS teachers,
$MUNICIPALITIES municipalities, years $YEARS.

## Reads of the home region, region database vs country database

Callers: \`operator\` (\`rsnms token --role operator\`: scope *All*) and \`municipal\` (\`rsnms token --role municipal
--organization <authority of municipality $MUN>\`: scope *municipality $HOME_CODE/$MUN*). wrk: \`-t1 -c$HTTP_CONNECTIONS -d$DURATION
--latency\`, $ROUNDS rounds alternated region/country, medians of the rounds' p50 and p99; the report: $REPORT_REPEATS
requests alternated one by one (after one unmeasured request each), p50/p99 of those. Goal: country ≤ 1.5 × region.

| # | request | caller | region p50 / p99, ms | country p50 / p99, ms | country / region | ≤ 1.5× | how; load after |
|---|---|---|---|---|---|---|---|
$ROWS_MD
## Machine

$(machine_block)
MD
log "wrote $RESULTS"

if [ "${BENCH_DROP:-0}" = 1 ]; then
    cleanup
    PIDS=()
    psql "$PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS $COUNTRY_DB WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qAt -c "DROP DATABASE IF EXISTS $REGION_DB WITH (FORCE)" >/dev/null
    log "dropped $REGION_DB and $COUNTRY_DB"
fi
