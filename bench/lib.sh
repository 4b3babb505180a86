# Helpers shared by bench/run.sh, bench/import.sh and bench/deadlines.sh (sourced, not run):
# paths, the bench environment, logging, medians, ratios, wrk parsing, background processes.
# shellcheck shell=bash

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$CARGO_TARGET_DIR/release/rsnms"
PG_ADMIN_URL="${BENCH_PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PIDS=()

# The environment of every rsnms process of the bench (see run.sh): a fixed JWT secret, no rate
# limit, a known admin password, JSON logs.
export RSNMS_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123456789"
export RSNMS_ADMIN_PASSWORD="bench-admin-password"
export RSNMS_RATE_LIMIT_PER_MINUTE=0
export RSNMS_WORKERS="${RSNMS_WORKERS:-$(nproc)}"
export RSNMS_LOG_FORMAT=json
unset RSNMS_LOG || true

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "nan"; else printf "%.2f", a / b}'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "nan"; else printf "%.3f", a / b}'; }
fmt0() { awk -v a="$1" 'BEGIN {printf "%.0f", a}'; }
fmt1() { awk -v a="$1" 'BEGIN {printf "%.1f", a}'; }
fmt2() { awk -v a="$1" 'BEGIN {printf "%.2f", a}'; }
load_now() { cut -d' ' -f1-3 /proc/loadavg; }
busiest() { ps -eo pcpu,comm --sort=-pcpu | sed -n '2,6p' | awk '{printf "%s %s%%; ", $2, $1}'; }
list() { paste -sd' ' "$1" | sed 's/ /, /g'; }
now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }

# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Microseconds of a process's CPU per request: ticks_before ticks_after wrk_output.
cpu_us_per_request() {
    awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" '/ requests in / {n = $1} END {if (n > 0) printf "%.1f\n", (b - a) / hz / n * 1e6; else print "nan"}' "$3"
}

wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_p99_ms() {
    awk '$1 == "99%" {
        v = $2; n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        print n }' "$1"
}
wrk_errors() {
    awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1"
}

wait_http() { # url timeout_s
    local deadline=$((SECONDS + $2))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

start_bg() { # logfile command... ; sets LAST_PID
    "${@:2}" >"$1" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# A fresh, migrated scratch database: fresh_db NAME → sets PG_URL.
fresh_db() {
    PG_URL="${PG_ADMIN_URL%/*}/$1"
    psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN_URL" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $1" >/dev/null
    DATABASE_URL="$PG_URL" "$BIN" migrate >"$WORK/migrate-$1.log" 2>&1 || die "migrate failed: $(tail -5 "$WORK/migrate-$1.log")"
}

machine_block() { # the "Machine" section of a results file
    echo '```'
    echo "nproc: $(nproc)"
    free -h
    echo
    lscpu | head -n 10
    echo
    echo "PostgreSQL: $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW server_version') (shared_buffers $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW shared_buffers'), fsync $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW fsync'), synchronous_commit $(psql "$PG_ADMIN_URL" -qAt -c 'SHOW synchronous_commit'))"
    echo "rsnms workers: $RSNMS_WORKERS; git $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
    echo '```'
}
