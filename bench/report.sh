#!/usr/bin/env bash
# The monitoring report on a large region (issue 7): seeds BENCH_TEACHERS (default 40 000)
# teachers with `rsnms seed-region` into a scratch PostgreSQL database, starts the release server
# and times `GET /api/v1/monitoring/report?year=` as JSON and as HTML against a baseline (a trivial
# authenticated GET, `/api/v1/monitoring/definitions`) and the raw aggregate SQL of one measure
# through psql — requests alternated one by one, medians and p99. Writes bench/RESULTS-report.md.
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
REPEATS="${BENCH_REPEATS:-60}"            # requests per case, alternated case by case
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

log "seed-region --teachers $TEACHERS --municipalities $MUNICIPALITIES --years $YEARS"
seed_start=$(date +%s.%N)
"$BIN" seed-region --teachers "$TEACHERS" --municipalities "$MUNICIPALITIES" --years "$YEARS" --seed 1 \
    >"$WORK/summary.json" 2>"$WORK/seed.log" || { tail -20 "$WORK/seed.log"; die "seeding failed"; }
seed_s=$(awk -v a="$seed_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
log "seeded in ${seed_s} s: $(tr -d '\n ' <"$WORK/summary.json")"
psql "$PG_URL" -qAt -c "VACUUM ANALYZE" >/dev/null

RSNMS_BIND="127.0.0.1:$PORT" "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { cat "$WORK/server.log"; die "server did not start"; }
TOKEN=$("$BIN" token --role analyst --ttl 3600)
base="http://127.0.0.1:$PORT/api/v1"

# One measured request: seconds → milliseconds.
http_ms() {
    curl -s -o "$WORK/body" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" "$@" \
        | awk '$1 != 200 {print "HTTP " $1 > "/dev/stderr"; exit 1} {printf "%.3f\n", $2 * 1000}'
}
# The raw aggregate of the costliest measure (teachers who completed a programme step, grouped by
# municipality) run by psql, timed by PostgreSQL itself (EXPLAIN ANALYZE execution time).
SQL_FILE="$WORK/aggregate.sql"
cat >"$SQL_FILE" <<SQL
EXPLAIN (ANALYZE, FORMAT JSON)
SELECT COALESCE(o.municipality_code, '') AS m, COUNT(DISTINCT p.id) AS n FROM persons p
JOIN person_roles pr ON pr.person_id = p.id AND pr.role = 'teacher'
JOIN organizations o ON o.id = p.organization_id AND o.kind = 'educational_organization'
WHERE EXISTS (SELECT 1 FROM individual_routes r CROSS JOIN LATERAL jsonb_array_elements(r.steps::jsonb) s
  WHERE s.value->>'status' = 'done' AND s.value->>'program_id' IS NOT NULL AND r.person_id = p.id
  AND r.status <> 'cancelled' AND (s.value->>'planned_end')::date <= DATE '$YEAR-12-31')
GROUP BY COALESCE(o.municipality_code, '');
SQL
sql_ms() { psql "$PG_URL" -qAt -f "$SQL_FILE" | tr -d '\n' | sed -E 's/.*"Execution Time": ([0-9.]+).*/\1/'; }

log "warm-up"
for _ in 1 2 3; do
    http_ms "$base/monitoring/report?year=$YEAR" >/dev/null
    http_ms "$base/monitoring/report?year=$YEAR&format=html" >/dev/null
done
http_ms "$base/monitoring/report?year=$YEAR&format=html" >/dev/null
svg=$(grep -o '<svg' "$WORK/body" | wc -l)
bytes_html=$(wc -c <"$WORK/body")
http_ms "$base/monitoring/report?year=$YEAR" >/dev/null
bytes_json=$(wc -c <"$WORK/body")

log "$REPEATS rounds: JSON, HTML, baseline, SQL alternated"
: >"$WORK/json"; : >"$WORK/html"; : >"$WORK/base"; : >"$WORK/sql"
for _ in $(seq 1 "$REPEATS"); do
    http_ms "$base/monitoring/report?year=$YEAR" >>"$WORK/json"
    http_ms "$base/monitoring/report?year=$YEAR&format=html" >>"$WORK/html"
    http_ms "$base/monitoring/definitions" >>"$WORK/base"
    sql_ms >>"$WORK/sql"
done

json_med=$(median <"$WORK/json"); json_p99=$(p99 <"$WORK/json")
html_med=$(median <"$WORK/html"); html_p99=$(p99 <"$WORK/html")
base_med=$(median <"$WORK/base"); base_p99=$(p99 <"$WORK/base")
sql_med=$(median <"$WORK/sql"); sql_p99=$(p99 <"$WORK/sql")
counts=$(psql "$PG_URL" -qAt -F' ' -c "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM individual_routes), (SELECT count(*) FROM diagnostic_results), (SELECT count(*) FROM organizations)")
read -r n_persons n_routes n_results n_orgs <<<"$counts"
verdict=$(awk -v a="$json_p99" -v b="$html_p99" 'BEGIN {print (a < 1000 && b < 1000) ? "met" : "missed"}')

cat >"$RESULTS" <<MD
# Monitoring report on a seeded region — recorded figures

Produced by \`bash bench/report.sh\` on $(date -u +%Y-%m-%d) (\`$(uname -m)\`, $(nproc) cores shared with
other work; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)). Release build, PostgreSQL
$(psql "$PG_ADMIN_URL" -qAt -c "SHOW server_version" | cut -d' ' -f1), default pool.

## Data

\`rsnms seed-region --teachers $TEACHERS --municipalities $MUNICIPALITIES --years $YEARS --seed 1\`
through the domain actions in batched transactions: **${seed_s} s**. Stored: $n_orgs organisations,
$n_persons persons, $n_results diagnostic results, $n_routes individual routes (plus events,
mentoring pairs, agreements with reported values, network requests; the summary:
\`$(tr -d '\n ' <"$WORK/summary.json")\`).

## \`GET /api/v1/monitoring/report?year=$YEAR\`

$REPEATS requests per case, one after another, the cases alternated request by request (no
concurrency: the figure is the latency of one report). Milliseconds as curl measures them
(\`time_total\`); the SQL row is PostgreSQL's own execution time of one aggregate.

| case | median, ms | p99, ms | median vs baseline |
|---|---|---|---|
| report, JSON ($bytes_json bytes) | $(ms "$json_med") | $(ms "$json_p99") | $(ratio "$json_med" "$base_med") × |
| report, HTML ($bytes_html bytes, $svg SVG charts) | $(ms "$html_med") | $(ms "$html_p99") | $(ratio "$html_med" "$base_med") × |
| baseline: \`GET /monitoring/definitions\` (authenticated, no database) | $(ms "$base_med") | $(ms "$base_p99") | 1.0 × |
| one raw aggregate (teachers who completed a programme, by municipality), psql | $(ms "$sql_med") | $(ms "$sql_p99") | $(ratio "$sql_med" "$base_med") × |

Goal: the report under 1 s — **$verdict** (p99 of JSON $(ms "$json_p99") ms, of HTML $(ms "$html_p99") ms).
The report runs the six numerators, two populations, the municipality list, routes by status,
the request statistics and one agreement lookup per municipality; the JSON-in-SQL step scan of
individual routes is the largest single part (the SQL row).
MD
log "wrote $RESULTS"
cat "$RESULTS"
