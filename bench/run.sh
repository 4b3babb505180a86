#!/usr/bin/env bash
# The rsnms performance harness: builds the server in release, runs the five cases of issue 8
# (item 8) side by side and writes bench/RESULTS.md. See bench/README.md.
#
#   bash bench/run.sh
#
# Needs: cargo, wrk, curl, psql and pgbench (PostgreSQL 15), a PostgreSQL reachable at
# BENCH_PG_ADMIN_URL with the right to create a database. Load goes to 127.0.0.1 only.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Paths, the environment of every rsnms process (fixed JWT secret, no rate limit, known admin
# password, JSON logs), and the helpers shared with import.sh and deadlines.sh.
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

PG_DB="${BENCH_PG_DB:-rsnms_bench}"
PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
ROWS="${BENCH_ROWS:-1000000}"              # organisations generated for cases 2 and 3
DURATION="${BENCH_DURATION:-10s}"          # one wrk / pgbench round
ROUNDS="${BENCH_ROUNDS:-3}"                # interleaved rounds per ratio (median)
HTTP_CONNECTIONS="${BENCH_HTTP_CONNECTIONS:-32}"
PG_CLIENTS="${BENCH_PG_CLIENTS:-8}"        # pgbench -c and the server's pool size in case 2
PAGE_LIMIT="${BENCH_PAGE_LIMIT:-50}"
PAGE_DEPTH="${BENCH_PAGE_DEPTH:-10000}"
COLD_REPEATS="${BENCH_COLD_REPEATS:-5}"
WRITE_DURATION="${BENCH_WRITE_DURATION:-60s}"
PGBENCH="$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)"

PORT_BARE=18090
PORT_PG=18091
PORT_COLD=18092
PORT_SQLITE=18093

WORK="$(mktemp -d /tmp/rsnms-bench.XXXXXX)"
RESULTS="$BENCH_DIR/RESULTS.md"

for tool in cargo wrk curl psql "$PGBENCH" awk; do
    command -v "$tool" >/dev/null || die "$tool is missing (wrk: apt-get install -y wrk)"
done

# ---------------------------------------------------------------------------------------------
log "work dir $WORK"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    log "BENCH_SKIP_BUILD=1: using the existing $BIN"
else
    log "building rsnms (release) into $CARGO_TARGET_DIR"
    (cd "$REPO" && cargo build --release -p rsnms) || die "build failed"
fi
[ -x "$BIN" ] || die "$BIN not found"

LOAD_START="$(load_now)"
BUSY_START="$(ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | awk '{printf "%s %s%%; ", $2, $1}')"

# ---------------------------------------------------------------------------------------------
log "PostgreSQL: fresh database $PG_DB, migrations, $ROWS organisations"
psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $PG_DB" >/dev/null
DATABASE_URL="$PG_URL" "$BIN" migrate >"$WORK/migrate-pg.log" 2>&1 || die "migrate failed: $(tail -5 "$WORK/migrate-pg.log")"
GEN_START=$SECONDS
psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows="$ROWS" -f "$BENCH_DIR/generate_region.sql" >"$WORK/generate.log" 2>&1 \
    || die "data generation failed: $(tail -5 "$WORK/generate.log")"
GEN_SECONDS=$((SECONDS - GEN_START))
ORG_COUNT="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM organizations")"
log "generated $ORG_COUNT organisations in ${GEN_SECONDS}s"

TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 7200 2>"$WORK/token.log")" \
    || die "token failed: $(cat "$WORK/token.log")"

# The servers of cases 1–3: bench-bare, and rsnms on PostgreSQL with a pool of PG_CLIENTS.
start_bg "$WORK/bare.log" "$BIN" bench-bare --bind "127.0.0.1:$PORT_BARE"
PID_BARE=$LAST_PID
DATABASE_URL="$PG_URL" RSNMS_BIND="127.0.0.1:$PORT_PG" RSNMS_DB_MAX_CONNECTIONS="$PG_CLIENTS" \
    start_bg "$WORK/server-pg.log" "$BIN" serve
PID_PG=$LAST_PID
wait_http "http://127.0.0.1:$PORT_BARE/" 30 || die "bench-bare did not start: $(tail -5 "$WORK/bare.log")"
wait_http "http://127.0.0.1:$PORT_PG/health/ready" 60 || die "rsnms (PostgreSQL) did not start: $(tail -5 "$WORK/server-pg.log")"
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT_PG/api/v1/auth/me" \
    || die "GET /api/v1/auth/me with the bench token failed"

WRK=(wrk -t1 -c"$HTTP_CONNECTIONS" -d"$DURATION" --latency)
AUTH=(-H "Authorization: Bearer $TOKEN")

# ---------------------------------------------------------------------------------------------
log "case 1: authenticated no-op vs bare actix-web ($ROUNDS interleaved rounds)"
LOAD_1="$(load_now)"
: >"$WORK/c1-bare.txt"; : >"$WORK/c1-me.txt"; : >"$WORK/c1-bare-cpu.txt"; : >"$WORK/c1-me-cpu.txt"; C1_ERR=0
for r in $(seq "$ROUNDS"); do
    t0="$(cpu_ticks "$PID_BARE")"
    "${WRK[@]}" "http://127.0.0.1:$PORT_BARE/" >"$WORK/c1-bare-$r.out"
    cpu_us_per_request "$t0" "$(cpu_ticks "$PID_BARE")" "$WORK/c1-bare-$r.out" >>"$WORK/c1-bare-cpu.txt"
    t0="$(cpu_ticks "$PID_PG")"
    "${WRK[@]}" "${AUTH[@]}" "http://127.0.0.1:$PORT_PG/api/v1/auth/me" >"$WORK/c1-me-$r.out"
    cpu_us_per_request "$t0" "$(cpu_ticks "$PID_PG")" "$WORK/c1-me-$r.out" >>"$WORK/c1-me-cpu.txt"
    wrk_rps "$WORK/c1-bare-$r.out" >>"$WORK/c1-bare.txt"
    wrk_rps "$WORK/c1-me-$r.out" >>"$WORK/c1-me.txt"
    C1_ERR=$((C1_ERR + $(wrk_errors "$WORK/c1-bare-$r.out") + $(wrk_errors "$WORK/c1-me-$r.out")))
    log "  round $r: bare $(tail -1 "$WORK/c1-bare.txt") req/s ($(tail -1 "$WORK/c1-bare-cpu.txt") µs CPU/req), /auth/me $(tail -1 "$WORK/c1-me.txt") req/s ($(tail -1 "$WORK/c1-me-cpu.txt") µs CPU/req)"
done
C1_BARE="$(median <"$WORK/c1-bare.txt")"
C1_ME="$(median <"$WORK/c1-me.txt")"
C1_RATIO="$(ratio "$C1_ME" "$C1_BARE")"
stop_pid "$PID_BARE"

# ---------------------------------------------------------------------------------------------
log "case 2: GET by id vs pgbench -M prepared ($ROUNDS interleaved rounds)"
LOAD_2="$(load_now)"
ORG_ID="$(psql "$PG_URL" -qAt -c "SELECT id FROM organizations ORDER BY id OFFSET $((ORG_COUNT / 2)) LIMIT 1")"
curl -fsS -o /dev/null "${AUTH[@]}" "http://127.0.0.1:$PORT_PG/api/v1/organizations/$ORG_ID" \
    || die "GET /api/v1/organizations/$ORG_ID failed"
PGBENCH_SECONDS="${DURATION%s}"
: >"$WORK/c2-pg.txt"; : >"$WORK/c2-api.txt"; C2_ERR=0
for r in $(seq "$ROUNDS"); do
    "$PGBENCH" -n -M prepared -c "$PG_CLIENTS" -j 2 -T "$PGBENCH_SECONDS" -D id="$ORG_ID" \
        -f "$BENCH_DIR/get_organization.pgbench" "$PG_URL" >"$WORK/c2-pg-$r.out" 2>&1
    "${WRK[@]}" "${AUTH[@]}" "http://127.0.0.1:$PORT_PG/api/v1/organizations/$ORG_ID" >"$WORK/c2-api-$r.out"
    awk '/^tps = / {print $3}' "$WORK/c2-pg-$r.out" >>"$WORK/c2-pg.txt"
    wrk_rps "$WORK/c2-api-$r.out" >>"$WORK/c2-api.txt"
    C2_ERR=$((C2_ERR + $(wrk_errors "$WORK/c2-api-$r.out")))
    log "  round $r: pgbench $(tail -1 "$WORK/c2-pg.txt") TPS, GET by id $(tail -1 "$WORK/c2-api.txt") req/s"
done
C2_PG="$(median <"$WORK/c2-pg.txt")"
C2_API="$(median <"$WORK/c2-api.txt")"
C2_RATIO="$(ratio "$C2_API" "$C2_PG")"

# ---------------------------------------------------------------------------------------------
log "case 3: keyset page $PAGE_DEPTH deep vs page 1 at $ORG_COUNT rows ($ROUNDS interleaved rounds)"
LOAD_3="$(load_now)"
# The cursor of page PAGE_DEPTH+1: the last id of page PAGE_DEPTH (row PAGE_DEPTH×limit), as
# URL-safe base64 without padding of its 16 bytes (what the server's encode_cursor produces).
CURSOR="$(psql "$PG_URL" -qAt -c "SELECT rtrim(translate(encode(uuid_send(id), 'base64'), '+/', '-_'), '=')
    FROM organizations ORDER BY id OFFSET $((PAGE_DEPTH * PAGE_LIMIT - 1)) LIMIT 1")"
[ -n "$CURSOR" ] || die "fewer than $((PAGE_DEPTH * PAGE_LIMIT)) organisations: no cursor for page $PAGE_DEPTH"
URL_P1="http://127.0.0.1:$PORT_PG/api/v1/organizations?limit=$PAGE_LIMIT"
URL_PN="$URL_P1&cursor=$CURSOR"
N_P1="$(curl -fsS "${AUTH[@]}" "$URL_P1" | grep -o '"id":' | wc -l)"
N_PN="$(curl -fsS "${AUTH[@]}" "$URL_PN" | grep -o '"id":' | wc -l)"
[ "$N_PN" -ge 1 ] || die "the deep page is empty"
: >"$WORK/c3-p1.txt"; : >"$WORK/c3-pn.txt"; : >"$WORK/c3-p1-rps.txt"; : >"$WORK/c3-pn-rps.txt"; C3_ERR=0
for r in $(seq "$ROUNDS"); do
    "${WRK[@]}" "${AUTH[@]}" "$URL_P1" >"$WORK/c3-p1-$r.out"
    "${WRK[@]}" "${AUTH[@]}" "$URL_PN" >"$WORK/c3-pn-$r.out"
    wrk_p99_ms "$WORK/c3-p1-$r.out" >>"$WORK/c3-p1.txt"
    wrk_p99_ms "$WORK/c3-pn-$r.out" >>"$WORK/c3-pn.txt"
    wrk_rps "$WORK/c3-p1-$r.out" >>"$WORK/c3-p1-rps.txt"
    wrk_rps "$WORK/c3-pn-$r.out" >>"$WORK/c3-pn-rps.txt"
    C3_ERR=$((C3_ERR + $(wrk_errors "$WORK/c3-p1-$r.out") + $(wrk_errors "$WORK/c3-pn-$r.out")))
    log "  round $r: p99 page 1 $(tail -1 "$WORK/c3-p1.txt") ms, page $((PAGE_DEPTH + 1)) $(tail -1 "$WORK/c3-pn.txt") ms"
done
C3_P1="$(median <"$WORK/c3-p1.txt")"
C3_PN="$(median <"$WORK/c3-pn.txt")"
C3_RATIO="$(ratio "$C3_PN" "$C3_P1")"
C3_P1_RPS="$(median <"$WORK/c3-p1-rps.txt")"
C3_PN_RPS="$(median <"$WORK/c3-pn-rps.txt")"
stop_pid "$PID_PG"

# ---------------------------------------------------------------------------------------------
log "case 4: cold start to ready on a fresh SQLite file ($COLD_REPEATS times)"
LOAD_4="$(load_now)"
: >"$WORK/c4.txt"
for r in $(seq "$COLD_REPEATS"); do
    db="$WORK/cold-$r.db"
    rm -f "$db" "$db-wal" "$db-shm"
    t0=$(date +%s%N)
    DATABASE_URL="sqlite://$db?mode=rwc" RSNMS_BIND="127.0.0.1:$PORT_COLD" \
        start_bg "$WORK/cold-$r.log" "$BIN" serve
    pid=$LAST_PID
    ok=0
    for _ in $(seq 6000); do # ≤ 60 s
        if curl -fs -o /dev/null "http://127.0.0.1:$PORT_COLD/health/ready" 2>/dev/null; then ok=1; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.005
    done
    t1=$(date +%s%N)
    stop_pid "$pid"
    [ "$ok" = 1 ] || die "cold start $r never became ready: $(tail -5 "$WORK/cold-$r.log")"
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b - a) / 1e9}' >>"$WORK/c4.txt"
    log "  start $r: $(tail -1 "$WORK/c4.txt") s"
done
C4_MEDIAN="$(median <"$WORK/c4.txt")"

# ---------------------------------------------------------------------------------------------
log "case 5: $HTTP_CONNECTIONS concurrent SQLite writers for $WRITE_DURATION"
LOAD_5="$(load_now)"
db="$WORK/writers.db"
export DATABASE_URL="sqlite://$db?mode=rwc"
SQLITE_TOKEN="$("$BIN" token --role admin --ttl 7200 2>"$WORK/token-sqlite.log")" \
    || die "token failed: $(cat "$WORK/token-sqlite.log")"
RSNMS_BIND="127.0.0.1:$PORT_SQLITE" start_bg "$WORK/server-sqlite.log" "$BIN" serve
PID_SQLITE=$LAST_PID
unset DATABASE_URL
wait_http "http://127.0.0.1:$PORT_SQLITE/health/ready" 60 || die "rsnms (SQLite) did not start: $(tail -5 "$WORK/server-sqlite.log")"
BENCH_TOKEN="$SQLITE_TOKEN" BENCH_RUN_ID="$(date +%s)" \
    wrk -t1 -c"$HTTP_CONNECTIONS" -d"$WRITE_DURATION" --timeout 30s --latency \
    -s "$BENCH_DIR/post_organizations.lua" "http://127.0.0.1:$PORT_SQLITE" >"$WORK/c5.out"
stop_pid "$PID_SQLITE"
C5_201="$(awk '$1 == "status" && $2 == 201 {print $3}' "$WORK/c5.out")"; C5_201="${C5_201:-0}"
C5_ANSWERS="$(awk '$1 == "status" {n += $3} END {print n + 0}' "$WORK/c5.out")"
C5_NON201=$((C5_ANSWERS - C5_201))
C5_STATUSES="$(awk '$1 == "status" {printf "%s%s×%s", sep, $2, $3; sep = ", "}' "$WORK/c5.out")"
C5_SOCKET="$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$WORK/c5.out")"; C5_SOCKET="${C5_SOCKET:-0}"
C5_LOCKED="$(grep -c "database is locked" "$WORK/server-sqlite.log" || true)"
C5_RPS="$(wrk_rps "$WORK/c5.out")"
C5_P99="$(wrk_p99_ms "$WORK/c5.out")"
log "  $C5_ANSWERS answers ($C5_STATUSES), $C5_SOCKET socket errors, $C5_LOCKED 'database is locked' in the log"

LOAD_END="$(load_now)"
BUSY_END="$(ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | awk '{printf "%s %s%%; ", $2, $1}')"

# ---------------------------------------------------------------------------------------------
met() { [ "$1" = 1 ] && echo "**yes**" || echo "**no**"; }
C1_MET=$(awk -v r="$C1_RATIO" 'BEGIN {print (r >= 0.80) ? 1 : 0}')
C2_MET=$(awk -v r="$C2_RATIO" 'BEGIN {print (r >= 0.35) ? 1 : 0}')
C3_MET=$(awk -v r="$C3_RATIO" 'BEGIN {print (r <= 1.2) ? 1 : 0}')
C4_MET=$(awk -v t="$C4_MEDIAN" 'BEGIN {print (t < 1.0) ? 1 : 0}')
C5_MET=$([ "$C5_LOCKED" = 0 ] && echo 1 || echo 0)

{
    echo "# rsnms performance harness — results"
    echo
    echo "Written by \`bash bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Not part of CI's pass/fail;"
    echo "see [README.md](README.md) for what each case measures and why."
    echo
    echo "## Machine"
    echo
    echo '```'
    echo "nproc: $(nproc)"
    free -h
    echo
    lscpu | head
    echo
    echo "PostgreSQL: $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW server_version') (shared_buffers $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW shared_buffers')), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $("$PGBENCH" --version)"
    echo "rsnms workers: $RSNMS_WORKERS; wrk -t1 -c$HTTP_CONNECTIONS; rounds of $DURATION, $ROUNDS interleaved rounds, medians"
    echo '```'
    echo
    echo "Load average (1/5/15 min) at the start $LOAD_START, at the end $LOAD_END; busiest processes at"
    echo "the start: $BUSY_START at the end: $BUSY_END"
    echo "The load generator, the server and the database share the $(nproc) cores with whatever else runs"
    echo "(other engineers' compilers during this run): absolute figures move with it, the ratios"
    echo "(both sides measured in alternation, seconds apart) much less."
    echo
    echo "## Results"
    echo
    echo "| case | measured | ceiling | ratio | goal | met? |"
    echo "|---|---|---|---|---|---|"
    echo "| 1. authenticated no-op \`GET /api/v1/auth/me\` (full middleware, JWT) vs bare actix-web JSON handler | $(fmt0 "$C1_ME") req/s | $(fmt0 "$C1_BARE") req/s | $C1_RATIO | ≥ 0.80 | $(met "$C1_MET") |"
    echo "| 2. \`GET /api/v1/organizations/{id}\` on PostgreSQL (pool $PG_CLIENTS) vs \`pgbench -M prepared -c$PG_CLIENTS -j2\`, same SELECT | $(fmt0 "$C2_API") req/s | $(fmt0 "$C2_PG") TPS | $C2_RATIO | ≥ 0.35 | $(met "$C2_MET") |"
    echo "| 3. p99 of keyset page $((PAGE_DEPTH + 1)) vs page 1 (limit $PAGE_LIMIT, $ORG_COUNT organisations, PostgreSQL) | $(fmt2 "$C3_PN") ms | $(fmt2 "$C3_P1") ms | $C3_RATIO | ≤ 1.2 | $(met "$C3_MET") |"
    echo "| 4. cold start to first 200 from \`/health/ready\`, fresh SQLite file, migrations included (median of $COLD_REPEATS) | $C4_MEDIAN s | 1 s (goal) | $(ratio "$C4_MEDIAN" 1) | < 1 s | $(met "$C4_MET") |"
    echo "| 5. $HTTP_CONNECTIONS concurrent SQLite writers, \`POST /api/v1/organizations\` for $WRITE_DURATION | $C5_LOCKED \"database is locked\" in the log; $C5_NON201 non-201 of $C5_ANSWERS answers | — | — | 0 lock errors | $(met "$C5_MET") |"
    echo
    echo "## Rounds"
    echo
    echo "- Case 1 (load $LOAD_1): bare $(list "$WORK/c1-bare.txt") req/s; \`/auth/me\` $(list "$WORK/c1-me.txt") req/s; errors $C1_ERR."
    echo "  Server CPU per request (user + system time of the server process ÷ requests; steadier than req/s on a shared machine): bare $(list "$WORK/c1-bare-cpu.txt") µs; \`/auth/me\` $(list "$WORK/c1-me-cpu.txt") µs."
    echo "- Case 2 (load $LOAD_2): pgbench $(list "$WORK/c2-pg.txt") TPS; GET by id $(list "$WORK/c2-api.txt") req/s; errors $C2_ERR."
    echo "- Case 3 (load $LOAD_3): p99 page 1 $(list "$WORK/c3-p1.txt") ms ($(fmt0 "$C3_P1_RPS") req/s median, $N_P1 items);"
    echo "  p99 page $((PAGE_DEPTH + 1)) $(list "$WORK/c3-pn.txt") ms ($(fmt0 "$C3_PN_RPS") req/s median, $N_PN items); errors $C3_ERR."
    echo "  Data: $ORG_COUNT rows generated by \`generate_region.sql\` in ${GEN_SECONDS} s."
    echo "- Case 4 (load $LOAD_4): $(list "$WORK/c4.txt") s."
    echo "- Case 5 (load $LOAD_5): answers $C5_STATUSES; socket errors (connect/read/write/timeout) $C5_SOCKET;"
    echo "  $(fmt0 "${C5_RPS:-0}") writes/s, p99 $(fmt2 "${C5_P99:-0}") ms."
    echo
    echo "Raw outputs of this run: \`$WORK\` (wrk, pgbench and server logs)."
} >"$RESULTS"

log "results written to $RESULTS"
cat "$RESULTS"
