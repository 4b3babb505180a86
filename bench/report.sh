#!/usr/bin/env bash
# The monitoring report on a large region (issue 7): generates BENCH_TEACHERS (default 40 000)
# teachers with their schools, routes, results, events, mentoring pairs, network requests and
# agreements straight in SQL (bench/generate_teachers.sql) into a scratch PostgreSQL database
# migrated by `rsnms migrate`, starts the release server and times
# `GET /api/v1/monitoring/report?year=` as JSON and as HTML (`Accept: text/html`) against a
# baseline (a trivial authenticated GET, `/api/v1/auth/me`, no database) and the raw aggregate
# SQL of the costliest measure through psql — requests alternated one by one, medians and p99.
# Also times each aggregate statement of the report alone (psql, EXPLAIN ANALYZE).
# Writes bench/RESULTS-report.md.
#
#   bash bench/report.sh
#
# Needs: cargo, curl, psql, a PostgreSQL reachable at BENCH_PG_ADMIN_URL with the right to create
# a database. Goal: the report under 1 s.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$CARGO_TARGET_DIR/release/rsnms"

PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${BENCH_PG_DB:-rsnms_bench_report}"
PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
TEACHERS="${BENCH_TEACHERS:-40000}"
MUNICIPALITIES="${BENCH_MUNICIPALITIES:-23}"
YEARS="${BENCH_YEARS:-2024,2025}"
YEAR="${YEARS##*,}"
REPEATS="${BENCH_REPEATS:-30}"            # requests per case, alternated case by case
PORT=18094
RESULTS="$BENCH_DIR/RESULTS-report.md"
WORK="$(mktemp -d /tmp/rsnms-bench-report.XXXXXX)"
SERVER=""

log() { printf '[bench-report %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for tool in cargo curl psql awk; do command -v "$tool" >/dev/null || die "$tool is missing"; done

export RSNMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789"
export RSNMS_ADMIN_PASSWORD="bench-admin-password"
export RSNMS_RATE_LIMIT_PER_MINUTE=0
export RSNMS_LOG=warn
export DATABASE_URL="$PG_URL"

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
p99() { sort -g | awk '{v[NR] = $1} END {i = int(NR * 0.99 + 0.999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "nan"; else printf "%.1f", a / b}'; }
ms() { awk -v a="$1" 'BEGIN {printf "%.1f", a}'; }

log "release build"
cargo build --release --locked -q -p rsnms

log "scratch database $PG_DB"
psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $PG_DB" >/dev/null

log "migrate, start the server once (it seeds the shipped deadline policies)"
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; die "migrate failed"; }
wait_ready() {
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && return 0; sleep 0.1; done
    cat "$WORK/server.log"; die "server did not start"
}
RSNMS_BIND="127.0.0.1:$PORT" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
wait_ready
kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
SERVER=""

log "generate_teachers.sql: $TEACHERS teachers, $MUNICIPALITIES municipalities, years $YEARS"
gen_start=$(date +%s.%N)
psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v teachers="$TEACHERS" -v municipalities="$MUNICIPALITIES" -v years="$YEARS" \
    -f "$BENCH_DIR/generate_teachers.sql" >"$WORK/generate.log" 2>&1 || { tail -20 "$WORK/generate.log"; die "generation failed"; }
gen_s=$(awk -v a="$gen_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
log "generated in ${gen_s} s"
psql "$PG_URL" -qAt -c "VACUUM ANALYZE" >/dev/null

RSNMS_BIND="127.0.0.1:$PORT" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
wait_ready
TOKEN=$("$BIN" token --role admin --ttl 3600)
base="http://127.0.0.1:$PORT/api/v1"

# One measured request: seconds → milliseconds.
http_ms() {
    curl -s -o "$WORK/body" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" "$@" \
        | awk '$1 != 200 {print "HTTP " $1 > "/dev/stderr"; exit 1} {printf "%.3f\n", $2 * 1000}'
}
# The raw aggregate of a costly measure (teachers who completed a programme step, grouped by
# municipality; the done programme steps come from the generated column of migration
# m20261201_000100_route_done_programme_steps) run by psql, timed by PostgreSQL itself (EXPLAIN
# ANALYZE execution time).
SQL_FILE="$WORK/aggregate.sql"
cat >"$SQL_FILE" <<SQL
EXPLAIN (ANALYZE, FORMAT JSON)
SELECT COALESCE(o.municipality_code, '') AS m, COUNT(*) AS n FROM persons p
JOIN person_roles pr ON pr.person_id = p.id AND pr.role = 'teacher'
JOIN organizations o ON o.id = p.organization_id AND o.kind = 'educational_organization'
WHERE EXISTS (SELECT 1 FROM individual_routes r CROSS JOIN LATERAL jsonb_array_elements(r.done_programme_steps) s
  WHERE r.person_id = p.id AND r.status <> 'cancelled' AND (s.value->>'planned_end')::date <= DATE '$YEAR-12-31')
GROUP BY COALESCE(o.municipality_code, '');
SQL
sql_ms() { psql "$PG_URL" -qAt -f "$SQL_FILE" | tr -d '\n' | sed -E 's/.*"Execution Time": ([0-9.]+).*/\1/'; echo; }

log "warm-up"
for _ in 1 2 3; do
    http_ms "$base/monitoring/report?year=$YEAR" >/dev/null
    http_ms "$base/monitoring/report?year=$YEAR" -H "Accept: text/html" >/dev/null
done
http_ms "$base/monitoring/report?year=$YEAR" -H "Accept: text/html" >/dev/null
svg=$(grep -o '<svg' "$WORK/body" | wc -l)
bytes_html=$(wc -c <"$WORK/body")
http_ms "$base/monitoring/report?year=$YEAR" >/dev/null
bytes_json=$(wc -c <"$WORK/body")

log "$REPEATS rounds: JSON, HTML, baseline, SQL alternated"
: >"$WORK/json"; : >"$WORK/html"; : >"$WORK/base"; : >"$WORK/sql"
for _ in $(seq 1 "$REPEATS"); do
    http_ms "$base/monitoring/report?year=$YEAR" >>"$WORK/json"
    http_ms "$base/monitoring/report?year=$YEAR" -H "Accept: text/html" >>"$WORK/html"
    http_ms "$base/auth/me" >>"$WORK/base"
    sql_ms >>"$WORK/sql"
done

# Each aggregate statement of the report alone (Scope::All, the year's window), as
# crates/persistence/src/repositories/monitoring.rs writes it for PostgreSQL (with literals in place
# of its parameters), PostgreSQL's own execution time, median of 5 — where the report's time goes.
stmt_ms() {
    printf 'EXPLAIN (ANALYZE, FORMAT JSON) %s' "$1" >"$WORK/stmt.sql"
    for _ in 1 2 3 4 5; do
        psql "$PG_URL" -qAt -f "$WORK/stmt.sql" | tr -d '\n' | sed -E 's/.*"Execution Time": ([0-9.]+).*/\1/'; echo
    done | median
}
TEACHERS_FROM="SELECT COALESCE(o.municipality_code, '') AS m, COUNT(*) AS n FROM persons p
JOIN person_roles pr ON pr.person_id = p.id AND pr.role = 'teacher'
JOIN organizations o ON o.id = p.organization_id AND o.kind = 'educational_organization' WHERE 1 = 1"
STEPS="CROSS JOIN LATERAL jsonb_array_elements(r.done_programme_steps) s WHERE 1 = 1
AND r.person_id = p.id AND r.status <> 'cancelled' AND (s.value->>'planned_end')::date <= DATE '$YEAR-12-31'"
SCHOOLS="SELECT COALESCE(o.municipality_code, '') AS m, COUNT(*) AS n FROM organizations o
WHERE o.kind = 'educational_organization' AND (o.closed_on IS NULL OR o.closed_on >= DATE '$YEAR-01-01')"
G="GROUP BY COALESCE(o.municipality_code, '')"
declare -a STMT_LABELS STMT_SQL
add_stmt() { STMT_LABELS+=("$1"); STMT_SQL+=("$2"); }
add_stmt "population: teachers" "$TEACHERS_FROM $G"
add_stmt "population: schools" "$SCHOOLS $G"
add_stmt "teachers with a ЦНППМ route" "$TEACHERS_FROM AND EXISTS (SELECT 1 FROM individual_routes r
WHERE r.person_id = p.id AND r.status IN ('approved', 'in_progress', 'completed') AND r.tutor_id = ANY (ARRAY(SELECT tp.id
FROM persons tp JOIN organizations tor ON tor.id = tp.organization_id AND tor.kind = 'cnppm'))
AND r.period_start <= DATE '$YEAR-12-31') $G"
add_stmt "teachers who completed a programme" "$TEACHERS_FROM AND EXISTS (SELECT 1 FROM individual_routes r $STEPS) $G"
add_stmt "teachers who completed a ЦНППМ programme" "$TEACHERS_FROM AND EXISTS (SELECT 1 FROM individual_routes r $STEPS
AND EXISTS (SELECT 1 FROM programs pg JOIN organizations dev ON dev.id = pg.developer_id AND dev.kind = 'cnppm'
WHERE pg.id = (s.value->>'program_id')::uuid)) $G"
add_stmt "regional events" "SELECT COALESCE(o.municipality_code, '') AS m, COUNT(*) AS n FROM offerings e
JOIN organizations o ON o.id = e.organization_id WHERE e.offering = 'event' AND e.level = 'regional'
AND e.starts_on <= DATE '$YEAR-12-31' $G"
add_stmt "schools with a mentoring pair" "$SCHOOLS AND EXISTS (SELECT 1 FROM mentoring_pairs mp
WHERE mp.organization_id = o.id AND mp.period_start <= DATE '$YEAR-12-31') $G"
add_stmt "schools with managers in mentoring" "$SCHOOLS AND EXISTS (SELECT 1 FROM mentoring_pairs mp
JOIN persons mg ON (mg.id = mp.mentor_id OR mg.id = mp.mentee_id)
JOIN person_roles mr ON mr.person_id = mg.id AND mr.role = 'manager'
WHERE mg.organization_id = o.id AND mp.period_start <= DATE '$YEAR-12-31') $G"
add_stmt "routes by status" "SELECT COALESCE(o.municipality_code, '') AS m, r.status AS status, COUNT(*) AS n
FROM individual_routes r JOIN persons p ON p.id = r.person_id JOIN organizations o ON o.id = p.organization_id
WHERE 1 = 1 GROUP BY COALESCE(o.municipality_code, ''), r.status"
log "each aggregate statement alone"
stmt_rows=""
stmt_total=0
for i in "${!STMT_LABELS[@]}"; do
    v=$(stmt_ms "${STMT_SQL[$i]}")
    stmt_total=$(awk -v a="$stmt_total" -v b="$v" 'BEGIN {print a + b}')
    stmt_rows+="| ${STMT_LABELS[$i]} | $(ms "$v") |"$'\n'
done

json_med=$(median <"$WORK/json"); json_p99=$(p99 <"$WORK/json")
html_med=$(median <"$WORK/html"); html_p99=$(p99 <"$WORK/html")
base_med=$(median <"$WORK/base"); base_p99=$(p99 <"$WORK/base")
sql_med=$(median <"$WORK/sql"); sql_p99=$(p99 <"$WORK/sql")
counts=$(psql "$PG_URL" -qAt -F' ' -c "SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM persons),
    (SELECT count(*) FROM person_roles WHERE role = 'teacher'), (SELECT count(*) FROM individual_routes),
    (SELECT count(*) FROM diagnostic_results), (SELECT count(*) FROM offerings), (SELECT count(*) FROM mentoring_pairs),
    (SELECT count(*) FROM network_requests), (SELECT count(*) FROM agreements)")
read -r n_orgs n_persons n_teachers n_routes n_results n_events n_pairs n_requests n_agreements <<<"$counts"
verdict=$(awk -v a="$json_p99" -v b="$html_p99" 'BEGIN {print (a < 1000 && b < 1000) ? "met" : "missed"}')
migrations=$(psql "$PG_URL" -qAt -c "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1")

cat >"$RESULTS" <<MD
# Monitoring report on a ${TEACHERS}-teacher region — recorded figures

Produced by \`bash bench/report.sh\` on $(date -u +%Y-%m-%d) (\`$(uname -m)\`, $(nproc) cores shared with
other engineers' builds and tests; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)). Release build,
PostgreSQL $(psql "$PG_ADMIN_URL" -qAt -c "SHOW server_version" | cut -d' ' -f1), default pool, latest
migration \`$migrations\`.

## Data

[\`generate_teachers.sql\`](generate_teachers.sql) \`-v teachers=$TEACHERS -v municipalities=$MUNICIPALITIES
-v years=$YEARS\` straight into the migrated database: **${gen_s} s**. Rows: $n_orgs organisations,
$n_persons persons ($n_teachers teachers), $n_results diagnostic results, $n_routes individual routes,
$n_events events, $n_pairs mentoring pairs, $n_requests network requests, $n_agreements agreements with
targets and reported values.

## \`GET /api/v1/monitoring/report?year=$YEAR\` as admin

$REPEATS requests per case, one after another, the cases alternated request by request (no
concurrency: the figure is the latency of one report). Milliseconds as curl measures them
(\`time_total\`); the SQL row is PostgreSQL's own execution time of one aggregate.

| case | median, ms | p99, ms | median vs baseline |
|---|---|---|---|
| report, JSON ($bytes_json bytes) | $(ms "$json_med") | $(ms "$json_p99") | $(ratio "$json_med" "$base_med") × |
| report, HTML (\`Accept: text/html\`, $bytes_html bytes, $svg SVG charts) | $(ms "$html_med") | $(ms "$html_p99") | $(ratio "$html_med" "$base_med") × |
| baseline: \`GET /api/v1/auth/me\` (authenticated, no database) | $(ms "$base_med") | $(ms "$base_p99") | 1.0 × |
| one raw aggregate (teachers who completed a programme, by municipality), psql | $(ms "$sql_med") | $(ms "$sql_p99") | $(ratio "$sql_med" "$base_med") × |

Goal: the report under 1 s — **$verdict** (p99 of JSON $(ms "$json_p99") ms, of HTML $(ms "$html_p99") ms).

## Each aggregate statement alone

PostgreSQL's execution time (EXPLAIN ANALYZE), median of 5, run after the requests above.
The report issues them together over the pool, with the municipality list and the request
statistics (8 grouped counts), then one agreement lookup per municipality.

| statement | ms |
|---|---|
${stmt_rows}| sum | $(ms "$stmt_total") |
MD
log "wrote $RESULTS"
cat "$RESULTS"
