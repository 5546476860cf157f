#!/usr/bin/env bash
# Encrypted transports: Cairn against Unbound over DoT and DoH, in one run,
# on the integration tests' mini-internet (NSD servers on loopback).
#
#   bench/encrypted_bench.sh            (as root, from anywhere)
#
# For each resolver (one worker thread pinned to CPU 0; clients on CPU 1),
# with a CA-signed certificate made at the start:
#   1. 50 names are resolved once (the cache is warm), then dnsperf asks them
#      over DoT (-m dot) and over DoH (-m doh, GET) with BENCH_CONNECTIONS
#      connections for BENCH_SECONDS each; QPS, the resolver's CPU share
#      (/proc/PID/stat) and QPS per busy core (QPS / CPU share);
#   2. new TLS connections per second: `openssl s_time -new` opens full
#      handshakes (no resumption), one after the other, against the DoT port
#      for BENCH_SECONDS; handshakes per second of wall clock, the
#      resolver's CPU share and handshakes per busy core.
# The two resolvers take turns, BENCH_ROUNDS (3) times each, so that load
# from elsewhere falls on both alike; each figure printed is the median of
# its rounds, and the per-round figures per busy core follow the table.
# Prints a table per resolver and the Cairn/Unbound ratios.
#
# A benchmark measures, it never fails a build: this script always exits 0,
# with a clear message when something is missing.
#
# Env: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_NET (127.58), BENCH_CONNECTIONS (100),
# CAIRN_BIN (build/bin/cairn), BENCH_KEEP=1 keeps the work directory.

set -u
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=/usr/bin/python3
HELPER="$REPO/bench/resolver_bench_helper.py"
TLS_HELPER="$REPO/bench/encrypted_bench_helper.py"
SECONDS_RUN=${BENCH_SECONDS:-10}
NET=${BENCH_NET:-127.58}
CONNECTIONS=${BENCH_CONNECTIONS:-100}
ROUNDS=${BENCH_ROUNDS:-3}
CAIRN_BIN=${CAIRN_BIN:-$REPO/build/bin/cairn}
HOT_NAMES=50

# shellcheck source=bench/bench_lib.sh
. "$REPO/bench/bench_lib.sh"
finish() { say "encrypted_bench: $*"; exit 0; }

[ "$(id -u)" = 0 ] || finish "skipped: needs root (NSD binds port 53 on $NET.x.y)"
[ -x "$PY" ] && "$PY" -c "import dns.message" 2>/dev/null \
    || finish "skipped: $PY with dnspython (python3-dnspython) is missing"
for tool in dnsperf taskset openssl nsd; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || finish "skipped: $tool is not installed"
done
dnsperf -h 2>&1 | grep -q "dot or doh" || finish "skipped: this dnsperf has no -m dot/doh"
UNBOUND=$(command -v unbound || { [ -x /usr/sbin/unbound ] && echo /usr/sbin/unbound; } || true)
CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then SERVER_CPU=0; CLIENT_CPU=1; else SERVER_CPU=0; CLIENT_CPU=0; fi
TICKS=$(getconf CLK_TCK)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/encrypted-bench.XXXXXX)
DRIVER_PID=""
RESOLVER_PID=""

trap cleanup EXIT
trap 'exit 0' INT TERM

start_mini_internet \
    || finish "skipped: the mini-internet did not start (see above; another run on $NET? set BENCH_NET)"

"$PY" "$HELPER" names hot "$HOT_NAMES" "$WORK/hot.txt"
read -r CERT KEY < <("$PY" "$TLS_HELPER" certs "$WORK/pki")
[ -n "${KEY:-}" ] || finish "skipped: could not make a certificate with openssl"

declare -A QPS CPU PERCORE LOST NOTE ROUND_FIGURES

# cpu_share C0 C1 T0 T1: the resolver's CPU share between two samples
cpu_share() {
    awk -v c0="$1" -v c1="$2" -v t0="$3" -v t1="$4" -v hz="$TICKS" \
        'BEGIN { printf "%.3f", (c1 - c0) / hz / (t1 - t0) }'
}

# per_core RATE SHARE: the rate per busy core
per_core() {
    awk -v q="$1" -v c="$2" 'BEGIN { if (q != "" && c > 0) printf "%.0f", q / c; else print "n/a" }'
}

# measure NAME MODE PORT ARGS... : one dnsperf run; results in the arrays under NAME-MODE
measure() {
    local key="$1-$2" mode=$2 port=$3
    shift 3
    local t0 t1 c0 c1
    c0=$("$PY" "$HELPER" cputicks "$RESOLVER_PID")
    t0=$(date +%s.%N)
    taskset -c "$CLIENT_CPU" dnsperf -m "$mode" -s 127.0.0.1 -p "$port" -d "$WORK/hot.txt" \
        -l "$SECONDS_RUN" -c "$CONNECTIONS" -q 500 -T 1 -t 5 "$@" >"$WORK/$key.dnsperf" 2>&1
    t1=$(date +%s.%N)
    c1=$("$PY" "$HELPER" cputicks "$RESOLVER_PID" 2>/dev/null || echo "$c0")
    QPS[$key]=$("$PY" "$HELPER" dnsperf-field "$WORK/$key.dnsperf" qps | awk 'NF { printf "%.0f", $1 }')
    LOST[$key]=$("$PY" "$HELPER" dnsperf-field "$WORK/$key.dnsperf" lost)
    CPU[$key]=$(cpu_share "$c0" "$c1" "$t0" "$t1")
    if [ -n "${QPS[$key]}" ]; then
        PERCORE[$key]=$(per_core "${QPS[$key]}" "${CPU[$key]}")
    else
        NOTE[$key]="dnsperf $mode failed: $(tail -1 "$WORK/$key.dnsperf")"
    fi
}

# handshakes NAME TLS_PORT: one openssl s_time -new run; results under NAME-handshake
handshakes() {
    local key="$1-handshake" port=$2 t0 t1 c0 c1 made
    c0=$("$PY" "$HELPER" cputicks "$RESOLVER_PID")
    t0=$(date +%s.%N)
    taskset -c "$CLIENT_CPU" openssl s_time -connect "127.0.0.1:$port" -new \
        -time "$SECONDS_RUN" >"$WORK/$key.s_time" 2>&1
    t1=$(date +%s.%N)
    c1=$("$PY" "$HELPER" cputicks "$RESOLVER_PID" 2>/dev/null || echo "$c0")
    if ! made=$("$PY" "$TLS_HELPER" s_time "$WORK/$key.s_time"); then
        NOTE[$key]="openssl s_time failed: $(tail -1 "$WORK/$key.s_time")"
        return
    fi
    QPS[$key]=$(awk -v n="$made" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.0f", n / (t1 - t0) }')
    CPU[$key]=$(cpu_share "$c0" "$c1" "$t0" "$t1")
    PERCORE[$key]=$(per_core "${QPS[$key]}" "${CPU[$key]}")
}

# run_one NAME ROUND PORT TLS_PORT HTTPS_PORT COMMAND...: results under NAME.ROUND-MODE
run_one() {
    local name=$1 round=$2 port=$3 tls_port=$4 https_port=$5
    shift 5
    "$@" >"$WORK/$name/stdout.log" 2>&1 &
    RESOLVER_PID=$!
    if ! "$PY" "$HELPER" wait "$port" 10 "$RESOLVER_PID"; then
        NOTE[$name]="$name did not start: $(tail -2 "$WORK/$name/stdout.log" | tr '\n' ' ')"
        stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
        return
    fi
    read -r ok total < <("$PY" "$HELPER" resolve "$port" "$WORK/hot.txt")
    [ "$ok" = "$total" ] || NOTE[$name]="only $ok of $total hot names resolved"
    progress "$name (round $round): dnsperf -m dot, ${SECONDS_RUN}s"
    measure "$name.$round" dot "$tls_port"
    progress "$name (round $round): dnsperf -m doh, ${SECONDS_RUN}s"
    measure "$name.$round" doh "$https_port" -O "doh-uri=https://127.0.0.1:$https_port/dns-query" \
        -O doh-method=GET
    progress "$name (round $round): openssl s_time -new, ${SECONDS_RUN}s"
    handshakes "$name.$round" "$tls_port"
    stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
}

for round in $(seq "$ROUNDS"); do
    for name in cairn unbound; do
        if [ "$name" = cairn ] && [ ! -x "$CAIRN_BIN" ]; then NOTE[cairn]="no binary at $CAIRN_BIN"; continue; fi
        if [ "$name" = unbound ] && [ -z "$UNBOUND" ]; then NOTE[unbound]="unbound is not installed"; continue; fi
        mkdir -p "$WORK/$name"
        port=$(free_port); tls_port=$(free_port); https_port=$(free_port)
        conf=$("$PY" "$TLS_HELPER" config "$name" "$WORK/$name" "$port" "$tls_port" "$https_port" \
            "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR" "$CERT" "$KEY")
        if [ "$name" = cairn ]; then
            run_one cairn "$round" "$port" "$tls_port" "$https_port" taskset -c "$SERVER_CPU" "$CAIRN_BIN" --config "$conf"
        else
            run_one unbound "$round" "$port" "$tls_port" "$https_port" taskset -c "$SERVER_CPU" "$UNBOUND" -d -c "$conf"
        fi
    done
done

# median ARRAY NAME MODE FORMAT: the median of NAME's rounds of MODE in ARRAY
median() {
    local -n values=$1
    local r list=""
    for r in $(seq "$ROUNDS"); do
        list+="${values[$2.$r-$3]:-} "
    done
    printf '%s\n' $list | grep -E '^[0-9.]+$' | sort -g | awk -v f="$4" '
        { v[NR] = $1 }
        END { if (NR == 0) print ""; else if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
for name in cairn unbound; do
    for mode in dot doh handshake; do
        key="$name-$mode"
        QPS[$key]=$(median QPS "$name" "$mode" %.0f)
        CPU[$key]=$(median CPU "$name" "$mode" %.3f)
        PERCORE[$key]=$(median PERCORE "$name" "$mode" %.0f)
        LOST[$key]=$(median LOST "$name" "$mode" %.0f)
        ROUND_FIGURES[$key]=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${PERCORE[$name.$r-$mode]:--}"; done)
    done
done

progress "done"
say ""
say "encrypted benchmark: ${SECONDS_RUN}s cache-hit runs of $HOT_NAMES names, dnsperf -c $CONNECTIONS"
say "$ROUNDS rounds, the resolvers taking turns; medians of the rounds"
say "connections on CPU $CLIENT_CPU, resolver with 1 thread on CPU $SERVER_CPU"
say "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) ($CPUS CPUs): other work on CPU 0/1 skews the figures"
printf '\n%-9s %-9s %10s %10s %15s %8s\n' resolver mode "per second" "CPU share" "per busy core" lost
for name in cairn unbound; do
    for mode in dot doh handshake; do
        key="$name-$mode"
        printf '%-9s %-9s %10s %10s %15s %8s\n' "$name" "$mode" "${QPS[$key]:--}" "${CPU[$key]:--}" \
            "${PERCORE[$key]:--}" "${LOST[$key]:--}"
    done
done
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && a != "n/a" && b != "n/a" && a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'
}
for mode in dot doh handshake; do
    printf '%-9s %-9s %10s %10s %15s\n' "cairn/ub" "$mode" "$(ratio "${QPS[cairn-$mode]:-}" "${QPS[unbound-$mode]:-}")" \
        "$(ratio "${CPU[cairn-$mode]:-}" "${CPU[unbound-$mode]:-}")" \
        "$(ratio "${PERCORE[cairn-$mode]:-}" "${PERCORE[unbound-$mode]:-}")"
done
say ""
say "per busy core, round by round:"
for name in cairn unbound; do
    for mode in dot doh handshake; do
        printf '%-9s %-9s %s\n' "$name" "$mode" "${ROUND_FIGURES[$name-$mode]}"
    done
done
say ""
say "dot, doh: cache-hit queries (dnsperf); handshake: new TLS connections, full handshakes"
say "(openssl s_time -new against the DoT port, one connection at a time)"
for key in "${!NOTE[@]}"; do
    say "note: $key: ${NOTE[$key]}"
done
exit 0
