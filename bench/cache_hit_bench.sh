#!/usr/bin/env bash
# Cache hits against their ceiling: Cairn with one and with two worker
# threads, Unbound, and a UDP reflector that does nothing (recvmmsg, set QR,
# sendmmsg), on the integration tests' mini-internet (NSD on loopback).
#
#   bench/cache_hit_bench.sh            (as root, from anywhere)
#
# In each of BENCH_ROUNDS (5) rounds the four servers take turns, so load
# from elsewhere falls on all alike: each is started, its cache warmed with
# 50 names, then dnsperf (CPU 1) asks them for BENCH_SECONDS. One thread is
# pinned to CPU 0; Cairn's two threads may use both CPUs (with dnsperf on
# CPU 1), so that a cache line written by both threads would show.
# Per busy core = queries per second / the server's CPU share
# (/proc/PID/stat). Printed: the median of the rounds for each server, each
# round's figure, and the ratios Cairn/reflector, Cairn/Unbound and
# two threads/one thread.
#
# A benchmark measures, it never fails a build: this script always exits 0,
# with a clear message when something is missing.
#
# Env: BENCH_SECONDS (5), BENCH_ROUNDS (5), BENCH_NET (127.56), BENCH_CLIENTS
# (dnsperf -c, 8), BENCH_OUTSTANDING (dnsperf -q, 200), BENCH_PERF=1
# (profile Cairn with one thread in the last round with perf and print where
# its cycles went; the profiled round's figure is lower), CAIRN_BIN
# (build/bin/cairn), REFLECTOR_BIN (build/bin/udp_reflector), BENCH_KEEP=1.

set -u
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=/usr/bin/python3
HELPER="$REPO/bench/resolver_bench_helper.py"
SECONDS_RUN=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-5}
NET=${BENCH_NET:-127.56}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-200}
CAIRN_BIN=${CAIRN_BIN:-$REPO/build/bin/cairn}
REFLECTOR_BIN=${REFLECTOR_BIN:-$REPO/build/bin/udp_reflector}
HOT_NAMES=50

# shellcheck source=bench/bench_lib.sh
. "$REPO/bench/bench_lib.sh"
finish() { say "cache_hit_bench: $*"; exit 0; }

[ "$(id -u)" = 0 ] || finish "skipped: needs root (NSD binds port 53 on $NET.x.y)"
[ -x "$PY" ] && "$PY" -c "import dns.message" 2>/dev/null \
    || finish "skipped: $PY with dnspython (python3-dnspython) is missing"
for tool in dnsperf taskset nsd; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || finish "skipped: $tool is not installed"
done
[ -x "$CAIRN_BIN" ] || finish "skipped: no cairn at $CAIRN_BIN (scripts/build.sh release)"
[ -x "$REFLECTOR_BIN" ] || finish "skipped: no udp_reflector at $REFLECTOR_BIN (scripts/build.sh release)"
UNBOUND=$(command -v unbound || { [ -x /usr/sbin/unbound ] && echo /usr/sbin/unbound; } || true)
CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then SERVER_CPU=0; CLIENT_CPU=1; BOTH_CPUS=0,1; else SERVER_CPU=0; CLIENT_CPU=0; BOTH_CPUS=0; fi
TICKS=$(getconf CLK_TCK)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/cache-hit-bench.XXXXXX)
DRIVER_PID=""
RESOLVER_PID=""

trap cleanup EXIT
trap 'exit 0' INT TERM

start_mini_internet \
    || finish "skipped: the mini-internet did not start (see above; another run on $NET? set BENCH_NET)"
"$PY" "$HELPER" names hot "$HOT_NAMES" "$WORK/hot.txt"

declare -A PERCORE QPS CPU NOTE

# run_one NAME ROUND PORT WARM COMMAND...: start, warm (WARM=1), dnsperf, stop
run_one() {
    local name=$1 round=$2 port=$3 warm=$4
    shift 4
    local key="$name.$round" dir="$WORK/$name"
    mkdir -p "$dir"
    "$@" >"$dir/stdout.log" 2>&1 &
    RESOLVER_PID=$!
    if [ "$warm" = 1 ]; then
        if ! "$PY" "$HELPER" wait "$port" 10 "$RESOLVER_PID"; then
            NOTE[$name]="did not start: $(tail -2 "$dir/stdout.log" | tr '\n' ' ')"
            stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
            return
        fi
        read -r ok total < <("$PY" "$HELPER" resolve "$port" "$WORK/hot.txt")
        [ "$ok" = "$total" ] || NOTE[$name]="only $ok of $total hot names resolved"
    else
        sleep 0.5
    fi
    progress "$name (round $round): dnsperf, ${SECONDS_RUN}s"
    local t0 t1 c0 c1
    c0=$("$PY" "$HELPER" cputicks "$RESOLVER_PID")
    t0=$(date +%s.%N)
    local perf_pid=""
    if [ "${BENCH_PERF:-0}" = 1 ] && [ "$name" = cairn-1 ] && [ "$round" = "$ROUNDS" ] \
        && command -v perf >/dev/null; then
        perf record -q -g -o "$WORK/perf.data" -p "$RESOLVER_PID" >/dev/null 2>&1 &
        perf_pid=$!
    fi
    taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/hot.txt" \
        -l "$SECONDS_RUN" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 >"$dir/dnsperf.$round" 2>&1
    t1=$(date +%s.%N)
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
    fi
    c1=$("$PY" "$HELPER" cputicks "$RESOLVER_PID" 2>/dev/null || echo "$c0")
    QPS[$key]=$("$PY" "$HELPER" dnsperf-field "$dir/dnsperf.$round" qps | awk 'NF { printf "%.0f", $1 }')
    CPU[$key]=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$TICKS" \
        'BEGIN { printf "%.3f", (c1 - c0) / hz / (t1 - t0) }')
    if [ -n "${QPS[$key]}" ]; then
        PERCORE[$key]=$(awk -v q="${QPS[$key]}" -v c="${CPU[$key]}" \
            'BEGIN { if (c > 0) printf "%.0f", q / c }')
    else
        NOTE[$name]="dnsperf failed: $(tail -1 "$dir/dnsperf.$round")"
    fi
    stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
}

cairn_conf() {   # cairn_conf DIR PORT THREADS: a validating Cairn's config
    local conf
    conf=$("$PY" "$HELPER" config cairn "$1" "$2" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
    sed -i "s/^threads: .*/threads: $3/" "$conf"
    grep -q "^threads: $3" "$conf" || printf 'threads: %s\n' "$3" >>"$conf"
    printf '%s\n' "$conf"
}

SERVERS="reflector cairn-1 cairn-2"
[ -n "$UNBOUND" ] && SERVERS="$SERVERS unbound"
for round in $(seq "$ROUNDS"); do
    for name in $SERVERS; do
        port=$(free_port)
        case $name in
            reflector)
                run_one reflector "$round" "$port" 0 taskset -c "$SERVER_CPU" "$REFLECTOR_BIN" 127.0.0.1 "$port" ;;
            cairn-1)
                conf=$(cairn_conf "$WORK/cairn-1" "$port" 1)
                run_one cairn-1 "$round" "$port" 1 taskset -c "$SERVER_CPU" "$CAIRN_BIN" --config "$conf" ;;
            cairn-2)
                conf=$(cairn_conf "$WORK/cairn-2" "$port" 2)
                run_one cairn-2 "$round" "$port" 1 taskset -c "$BOTH_CPUS" "$CAIRN_BIN" --config "$conf" ;;
            unbound)
                conf=$("$PY" "$HELPER" config unbound "$WORK/unbound" "$port" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
                run_one unbound "$round" "$port" 1 taskset -c "$SERVER_CPU" "$UNBOUND" -d -c "$conf" ;;
        esac
    done
done
progress "done"

median() {   # median ARRAY NAME FORMAT
    local -n values=$1
    local r list=""
    for r in $(seq "$ROUNDS"); do list+="${values[$2.$r]:-} "; done
    printf '%s\n' $list | grep -E '^[0-9.]+$' | sort -g | awk -v f="$3" '
        { v[NR] = $1 }
        END { if (NR == 0) print "-"; else if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'
}

say ""
say "cache-hit benchmark: $HOT_NAMES names, dnsperf -c $CLIENTS -q $OUTSTANDING on CPU $CLIENT_CPU,"
say "$ROUNDS rounds of ${SECONDS_RUN}s, the servers taking turns; medians of the rounds"
say "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) ($CPUS CPUs)"
printf '\n%-10s %12s %10s %15s   %s\n' server "per second" "CPU share" "per busy core" "per busy core, each round"
declare -A MEDIAN
for name in $SERVERS; do
    MEDIAN[$name]=$(median PERCORE "$name" %.0f)
    rounds=$(for r in $(seq "$ROUNDS"); do printf '%s ' "${PERCORE[$name.$r]:--}"; done)
    printf '%-10s %12s %10s %15s   %s\n' "$name" "$(median QPS "$name" %.0f)" "$(median CPU "$name" %.3f)" \
        "${MEDIAN[$name]}" "$rounds"
done
say ""
if [ -s "$WORK/perf.data" ]; then
    say ""
    say "where cairn-1's cycles went in its last round (perf, self time, symbols over 1%):"
    perf report -q -i "$WORK/perf.data" --no-children --sort symbol --stdio 2>/dev/null \
        | awk '$1 ~ /%$/ { pct = $1 + 0; if ($2 == "[k]") kernel += pct; else user += pct;
                           if (pct >= 1) printf "  %6.2f%%  %s %s\n", pct, $2, $3 }
               END { printf "  kernel %.0f%%, cairn and its libraries %.0f%%\n", kernel, user }'
fi
say "per busy core: cairn-1/reflector $(ratio "${MEDIAN[cairn-1]}" "${MEDIAN[reflector]}")," \
    "cairn-2/cairn-1 $(ratio "${MEDIAN[cairn-2]}" "${MEDIAN[cairn-1]}")," \
    "cairn-1/unbound $(ratio "${MEDIAN[cairn-1]}" "${MEDIAN[unbound]:-}")"
for key in "${!NOTE[@]}"; do
    say "note: $key: ${NOTE[$key]}"
done
exit 0
