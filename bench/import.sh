#!/usr/bin/env bash
# Issue 6: rows per second of a 1 M-row NDJSON import of persons (POST /api/v1/imports/persons,
# validation on) against `psql \copy` of the same rows into fresh copies of the same tables, and
# the server's memory growth during the import. Writes bench/RESULTS-import.md; see
# bench/README.md ("Imports").
#
#   bash bench/import.sh
#
# Needs: cargo, curl, python3, psql (PostgreSQL 15) reachable at BENCH_PG_ADMIN_URL with the right
# to create a database. Drops and recreates the database BENCH_IMPORT_DB (rsnms_bench_import).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

DB="${BENCH_IMPORT_DB:-rsnms_bench_import}"
ROWS="${BENCH_IMPORT_ROWS:-1000000}"
ORGS="${BENCH_IMPORT_ORGS:-1000}"                 # organisations the persons are spread over
# One import per word, in this order; `reimport` (issue 19) creates the persons (atomic, reported
# as `reimport-create`), then re-imports the same file matched by СНИЛС (`reimport-unchanged`:
# every line unchanged) and a copy with every tenth line's position changed (`reimport-10pct`).
MODES="${BENCH_IMPORT_MODES:-atomic nonatomic atomic-tcp reimport}"
# The server reaches PostgreSQL over its Unix socket (as a server on the database's host would):
# sqlx 0.9.0 leaves Nagle's algorithm on for TCP (sqlx issue #4335), so every large statement
# waits up to 40 ms for a delayed ACK; a mode ending in -tcp measures that path too.
PG_SOCKET_DIR="${BENCH_PG_SOCKET_DIR:-/var/run/postgresql}"
ROUNDS="${BENCH_IMPORT_ROUNDS:-1}"                # times the list of modes is repeated
RESULTS="${BENCH_IMPORT_RESULTS:-$BENCH_DIR/RESULTS-import.md}"
PORT=18094
WORK="$(mktemp -d /tmp/rsnms-bench-import.XXXXXX)"

for tool in cargo curl psql python3 awk; do command -v "$tool" >/dev/null || die "$tool is missing"; done

log "work dir $WORK"
if [ "${BENCH_SKIP_BUILD:-0}" = 1 ]; then
    log "BENCH_SKIP_BUILD=1: using the existing $BIN"
else
    log "building rsnms (release) into $CARGO_TARGET_DIR"
    (cd "$REPO" && cargo build --release -p rsnms -p rsnms-domain --bins --example calendar_bench) || die "build failed"
fi
[ -x "$BIN" ] || die "$BIN not found"
LOAD_START="$(load_now)"; BUSY_START="$(busiest)"

# ---------------------------------------------------------------------------------------------
log "PostgreSQL: fresh database $DB, migrations, $ORGS organisations"
fresh_db "$DB"
psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows="$ORGS" -f "$BENCH_DIR/generate_region.sql" >"$WORK/orgs.log" 2>&1 \
    || die "organisations failed: $(tail -5 "$WORK/orgs.log")"
psql "$PG_URL" -qAt -c "SELECT id FROM organizations WHERE kind = 'educational_organization' ORDER BY id" >"$WORK/orgs.txt"
log "generating $ROWS person lines"
python3 "$BENCH_DIR/generate_persons.py" "$ROWS" "$WORK/orgs.txt" >"$WORK/persons.ndjson"
BYTES="$(stat -c %s "$WORK/persons.ndjson")"
head -n 1000 "$WORK/persons.ndjson" >"$WORK/warmup.ndjson"
# The same persons, every tenth with another position (a yearly re-sync where 10 % changed).
awk 'NR % 10 == 1 { sub(/"position": *"[^"]*"/, "\"position\": \"методист (переаттестация)\"") } { print }' \
    "$WORK/persons.ndjson" >"$WORK/persons-10pct.ndjson"
CHANGED_ROWS="$(grep -c 'переаттестация' "$WORK/persons-10pct.ndjson")"
TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 86400 2>"$WORK/token.log")" \
    || die "token failed: $(cat "$WORK/token.log")"

# Samples VmRSS (kB) of a process every 0.2 s into a file until the process or the flag file goes.
sample_rss() { # pid file flag
    while [ -e "$3" ] && [ -r "/proc/$1/status" ]; do
        awk '/^VmRSS:/ {print $2}' "/proc/$1/status" >>"$2" 2>/dev/null || true
        sleep 0.2
    done
}
rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
# CPU seconds (user + system) a process has used so far.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t}' "/proc/$1/stat"; }

# A freshly migrated database with the organisations (their ids are deterministic, so the
# persons file stays valid) and a token for it: every round imports into a new region's database.
# Emptying the tables instead skews the rounds: after DELETE + VACUUM PostgreSQL believes
# `persons` empty, and a connection that plans the foreign-key check of `person_roles` then scans
# the whole table for every row for the rest of its life.
empty_tables() {
    fresh_db "$DB"
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 -v rows="$ORGS" -f "$BENCH_DIR/generate_region.sql" >"$WORK/orgs.log" 2>&1 \
        || die "organisations failed: $(tail -5 "$WORK/orgs.log")"
    TOKEN="$(DATABASE_URL="$PG_URL" "$BIN" token --role admin --ttl 86400 2>"$WORK/token.log")" \
        || die "token failed: $(cat "$WORK/token.log")"
    psql "$PG_URL" -qAt -c "CHECKPOINT" >/dev/null
}

# One import: a fresh server, a dry-run warm-up of 1 000 lines (writes nothing), then the whole
# file. Appends "mode seconds rows_per_s rss_before_kb rss_max_kb hwm_kb" to $WORK/imports.txt.
import_once() { # mode label [file expected-outcome expected-count]
    local mode="$1" query="" pid t0 secs flag code
    local file="${3:-$WORK/persons.ndjson}" outcome="${4:-created}" expect="${5:-$ROWS}"
    case "$mode" in nonatomic*) query="?atomic=false" ;; reimport-unchanged | reimport-10pct) query="?id_scheme=snils" ;; esac
    local url="$PG_URL"
    if [ "${mode%-tcp}" = "$mode" ] && [ -S "$PG_SOCKET_DIR/.s.PGSQL.${PG_PORT:-5432}" ]; then
        url="postgres://postgres@$(printf %s "$PG_SOCKET_DIR" | sed 's|/|%2F|g')/$DB"
    fi
    DATABASE_URL="$url" RSNMS_BIND="127.0.0.1:$PORT" start_bg "$WORK/server-$2.log" "$BIN" serve
    pid=$LAST_PID
    wait_http "http://127.0.0.1:$PORT/health/ready" 60 || die "rsnms did not start: $(tail -5 "$WORK/server-$2.log")"
    code="$(curl -sS -o "$WORK/warmup-$2.json" -w '%{http_code}' --data-binary @"$WORK/warmup.ndjson" \
        -H 'Content-Type: application/x-ndjson' -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/imports/persons?dry_run=true")"
    [ "$code" = 200 ] || die "warm-up import answered $code: $(head -c 500 "$WORK/warmup-$2.json")"
    local before cpu0; before="$(rss_kb "$pid" VmRSS)"; cpu0="$(cpu_s "$pid")"
    flag="$WORK/sampling-$2"; : >"$flag"; : >"$WORK/rss-$2.txt"
    sample_rss "$pid" "$WORK/rss-$2.txt" "$flag" &
    local sampler=$!
    t0="$(now_ns)"
    code="$(curl -sS -o "$WORK/import-$2.json" -w '%{http_code}' --data-binary @"$file" \
        -H 'Content-Type: application/x-ndjson' -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/api/v1/imports/persons$query")"
    secs="$(secs_since "$t0")"
    local after hwm cpu; after="$(rss_kb "$pid" VmRSS)"; hwm="$(rss_kb "$pid" VmHWM)"
    cpu="$(awk -v a="$cpu0" -v b="$(cpu_s "$pid")" 'BEGIN {printf "%.1f", b - a}')"
    rm -f "$flag"; wait "$sampler" 2>/dev/null || true
    stop_pid "$pid"
    [ "$code" = 200 ] || die "import ($mode) answered $code: $(head -c 500 "$WORK/import-$2.json")"
    local got; got="$(grep -o "\"$outcome\":[0-9]*" "$WORK/import-$2.json" | cut -d: -f2)"
    [ "$got" = "$expect" ] || die "import ($mode): $outcome ${got:-?}, expected $expect: $(head -c 500 "$WORK/import-$2.json")"
    local n; n="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM persons")"
    [ "$n" = "$ROWS" ] || die "import ($mode): $n persons in the table, expected $ROWS"
    local max; max="$( (cat "$WORK/rss-$2.txt"; echo "$after") | sort -g | tail -1)"
    echo "$mode $secs $(awk -v r="$ROWS" -v s="$secs" 'BEGIN {printf "%.0f", r / s}') $before $max $hwm $after $cpu" >>"$WORK/imports.txt"
    log "  import $2: $secs s, $(tail -1 "$WORK/imports.txt" | cut -d' ' -f3) rows/s, RSS ${before} → max ${max} kB (HWM ${hwm}, after ${after}), server CPU ${cpu} s"
}

# The rows the import wrote, as CSV shaped like their tables (dumped once, after the first import).
dump_rows() {
    local t
    for t in persons person_roles audit_log outbox; do
        psql "$PG_URL" -qAt -v ON_ERROR_STOP=1 -c "\\copy (SELECT * FROM $t) TO '$WORK/$t.csv' CSV" >/dev/null
    done
    ROLE_ROWS="$(wc -l <"$WORK/person_roles.csv")"
    AUDIT_ROWS="$(wc -l <"$WORK/audit_log.csv")"
    OUTBOX_ROWS="$(wc -l <"$WORK/outbox.csv")"
}

# Fresh copies of the tables (indexes, unique and not-null constraints, defaults and the same
# foreign keys as the originals), created outside the timing.
copy_tables() {
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
DROP TABLE IF EXISTS copy_person_roles, copy_persons, copy_audit_log, copy_outbox;
CREATE TABLE copy_persons (LIKE persons INCLUDING ALL);
ALTER TABLE copy_persons ADD FOREIGN KEY (organization_id) REFERENCES organizations (id);
CREATE TABLE copy_person_roles (LIKE person_roles INCLUDING ALL);
ALTER TABLE copy_person_roles ADD FOREIGN KEY (person_id) REFERENCES copy_persons (id) ON DELETE CASCADE;
CREATE TABLE copy_audit_log (LIKE audit_log INCLUDING ALL);
CREATE TABLE copy_outbox (LIKE outbox INCLUDING ALL);
CHECKPOINT;
SQL
}

# One \copy round: the data (persons + person_roles) in one transaction, then — timed apart — the
# audit and outbox rows the import also wrote. Appends "data_s all_s" to $WORK/copies.txt.
copy_once() { # label
    copy_tables
    local t0 data all
    t0="$(now_ns)"
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
BEGIN;
\\copy copy_persons FROM '$WORK/persons.csv' CSV
\\copy copy_person_roles FROM '$WORK/person_roles.csv' CSV
COMMIT;
SQL
    data="$(secs_since "$t0")"
    psql "$PG_URL" -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
BEGIN;
\\copy copy_audit_log FROM '$WORK/audit_log.csv' CSV
\\copy copy_outbox FROM '$WORK/outbox.csv' CSV
COMMIT;
SQL
    all="$(secs_since "$t0")"
    local n; n="$(psql "$PG_URL" -qAt -c "SELECT count(*) FROM copy_persons")"
    [ "$n" = "$ROWS" ] || die "\\copy: $n rows in copy_persons, expected $ROWS"
    echo "$data $all" >>"$WORK/copies.txt"
    log "  \\copy $1: persons + roles $data s ($(awk -v r="$ROWS" -v s="$data" 'BEGIN {printf "%.0f", r / s}') rows/s), with audit + outbox $all s"
    psql "$PG_URL" -q -c "DROP TABLE IF EXISTS copy_person_roles, copy_persons, copy_audit_log, copy_outbox" >/dev/null
}

# ---------------------------------------------------------------------------------------------
: >"$WORK/imports.txt"; : >"$WORK/copies.txt"
LOADS=()
i=0
for r in $(seq "$ROUNDS"); do
    for mode in $MODES; do
        i=$((i + 1))
        LOADS+=("$(load_now)")
        log "round $r: import ($mode) of $ROWS persons"
        empty_tables
        if [ "$mode" = reimport ]; then
            import_once reimport-create "$i-reimport-create"
            log "round $r: re-import of the same $ROWS persons (all unchanged)"
            import_once reimport-unchanged "$i-reimport-unchanged" "$WORK/persons.ndjson" unchanged "$ROWS"
            log "round $r: re-import with $CHANGED_ROWS positions changed"
            import_once reimport-10pct "$i-reimport-10pct" "$WORK/persons-10pct.ndjson" updated "$CHANGED_ROWS"
        else
            import_once "$mode" "$i-$mode"
        fi
        [ -f "$WORK/persons.csv" ] || dump_rows
        log "round $r: \\copy of the same rows"
        copy_once "$i"
    done
done
LOAD_END="$(load_now)"; BUSY_END="$(busiest)"

# ---------------------------------------------------------------------------------------------
awk '{print $1}' "$WORK/copies.txt" >"$WORK/copy-data.txt"
awk '{print $2}' "$WORK/copies.txt" >"$WORK/copy-all.txt"
COPY_DATA_S="$(median <"$WORK/copy-data.txt")"
COPY_ALL_S="$(median <"$WORK/copy-all.txt")"
COPY_RPS="$(awk -v r="$ROWS" -v s="$COPY_DATA_S" 'BEGIN {printf "%.0f", r / s}')"
COPY_ALL_RPS="$(awk -v r="$ROWS" -v s="$COPY_ALL_S" 'BEGIN {printf "%.0f", r / s}')"
MIB() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
met() { [ "$1" = 1 ] && echo "**yes**" || echo "**no**"; }

{
    echo "# Import benchmark (issues 6 and 19) — results"
    echo
    echo "Written by \`bash bench/import.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); see [README.md](README.md#imports-issue-6)."
    echo "$ROWS persons ($(awk -v b="$BYTES" 'BEGIN {printf "%.0f", b / 1048576}') MiB of NDJSON) over $((ORGS - 2)) schools, PostgreSQL, admin token,"
    echo "\`curl --data-binary @file -H 'Content-Type: application/x-ndjson'\`. Imports and \`\\copy\` rounds alternate"
    echo "(import, \`\\copy\`, import, \`\\copy\` …); \`\\copy\` figures are medians of its rounds."
    echo
    echo "## Machine"
    echo
    machine_block
    echo
    echo "Load average (1/5/15 min) at the start $LOAD_START, at the end $LOAD_END; busiest processes at the start:"
    echo "$BUSY_START at the end: $BUSY_END"
    echo
    echo "## Results"
    echo
    echo "| import | wall time | rows/s | \`\\copy\` rows/s (persons + roles) | ratio | goal ≥ 0.40 | ratio vs \`\\copy\` of all 4 tables | RSS before → max | growth | goal < 64 MiB | server CPU |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    while read -r mode secs rps before max hwm after cpu; do
        q=$(ratio3 "$rps" "$COPY_RPS")
        growth=$((max - before))
        echo "| \`$mode\` | $(fmt1 "$secs") s | $rps | $COPY_RPS | $q | $(met "$(awk -v q="$q" 'BEGIN {print (q >= 0.40) ? 1 : 0}')") | $(ratio3 "$rps" "$COPY_ALL_RPS") | $(MIB "$before") → $(MIB "$max") MiB (HWM $(MIB "$hwm"), after $(MIB "$after")) | $(MIB "$growth") MiB | $(met "$([ "$growth" -lt 65536 ] && echo 1 || echo 0)") | $cpu s |"
    done <"$WORK/imports.txt"
    echo
    echo "\`atomic\` is the default (all-or-nothing: one transaction; chunks of 2 000 lines, the new persons"
    echo "of a chunk written with one multi-row statement per table under one savepoint, the other lines one"
    echo "by one; the next chunk read, parsed and checked while one is written); \`nonatomic\` is"
    echo "\`?atomic=false\` (a commit every 2 000 lines). Both reach PostgreSQL over"
    echo "its Unix socket; \`atomic-tcp\` is \`atomic\` over TCP on 127.0.0.1, where sqlx 0.9.0 leaves"
    echo "Nagle's algorithm on (sqlx issue #4335) and every large statement waits for a delayed ACK."
    echo "\`reimport-create\` creates the persons (as \`atomic\`) on a fresh database; then, on that database,"
    echo "\`reimport-unchanged\` posts the same file with \`?id_scheme=snils\` (every line \`unchanged\`: read once per"
    echo "chunk, compared in memory, nothing written) and \`reimport-10pct\` a copy where every tenth line's position"
    echo "differs ($CHANGED_ROWS lines \`updated\`: one multi-row \`UPDATE … FROM UNNEST(…)\` per chunk with their audit"
    echo "records and outbox events; issue 19). Their ratio is against the same \`\\copy\` of all the rows. RSS is the server's VmRSS, sampled every 0.2 s"
    echo "from after a 1 000-line dry-run warm-up (\"before\") to the answer; HWM is the kernel's peak. Server"
    echo "CPU is the server process's user + system time during the import: against the wall time it shows"
    echo "how much of each line is the server's own work and how much is waiting for PostgreSQL."
    echo
    echo "## What each side writes"
    echo
    echo "- **Import**: per line, parse + validate (wire shape, СНИЛС checksum, e-mail, phone, dates); per chunk,"
    echo "  one read of which СНИЛС exist, one of which organisations the caller sees, then the persons, roles,"
    echo "  audit records and outbox events, each table in one \`INSERT … SELECT * FROM UNNEST(…)\` — in all $ROWS persons, $ROLE_ROWS role rows, $AUDIT_ROWS audit rows, $OUTBOX_ROWS outbox rows."
    echo "- **\`\\copy\` (the ratio's ceiling)**: the very rows the import wrote to \`persons\` and \`person_roles\`"
    echo "  (dumped as CSV after the first import), into fresh copies of the tables with the same indexes,"
    echo "  unique constraint (СНИЛС) and foreign keys, in one transaction: median $(fmt2 "$COPY_DATA_S") s."
    echo "- **\`\\copy\` of all four tables**: the same plus the audit and outbox rows: median $(fmt2 "$COPY_ALL_S") s"
    echo "  ($COPY_ALL_RPS persons/s) — what a server that skipped nothing could at best approach."
    echo
    echo "## Rounds"
    echo
    echo "- imports (mode, s, rows/s, RSS before / max / HWM / after kB, server CPU s): $(paste -sd';' "$WORK/imports.txt" | sed 's/;/; /g')"
    echo "- \`\\copy\` persons + roles: $(list "$WORK/copy-data.txt") s; with audit + outbox: $(list "$WORK/copy-all.txt") s"
    echo "- load average before each import: ${LOADS[*]}"
    echo
    echo "Raw outputs of this run: \`$WORK\` (server logs, import summaries, RSS samples)."
} >"$RESULTS"

rm -f "$WORK/persons.ndjson" "$WORK/persons-10pct.ndjson" "$WORK"/*.csv
log "results written to $RESULTS"
cat "$RESULTS"
