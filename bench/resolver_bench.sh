#!/usr/bin/env bash
# Whole-system benchmark: Cairn against Unbound on the integration tests'
# mini-internet (NSD servers on loopback).
#
#   bench/resolver_bench.sh            (as root, from anywhere)
#
# For each resolver (Cairn, and Unbound when installed), one worker thread
# pinned to CPU 0, dnsperf pinned to CPU 1:
#   1. cold: a fresh resolver resolves 200 cold names; the authoritative
#      servers' query records (dnstap) give the upstream queries it needed;
#   2. hot: 50 names, pre-warmed, repeated by dnsperf for BENCH_SECONDS;
#      the resolver's CPU share comes from /proc/PID/stat (utime+stime);
#   3. cold signed: another fresh resolver process resolves 200 names in
#      signed zones (wildcard expansions, www/mail/alias, NSEC and NSEC3
#      NXDOMAINs) with DO=1, 10 queries outstanding; wall-clock time for the
#      whole list, answers with AD=1, SERVFAILs, upstream queries (dnstap).
# Both resolvers validate, from the mini-internet's trust anchor.
# Prints QPS, CPU share, QPS per busy core (QPS / CPU share), upstream
# queries for the cold list, the signed list's time, names/s, AD count and
# upstream queries, the Cairn/Unbound ratios, and the signed names whose
# rcode or AD bit differ between the two.
#
# A benchmark measures, it never fails a build: this script always exits 0,
# with a clear message when something is missing.
#
# Env: BENCH_SECONDS (10), BENCH_NET (127.57: mini-internet addresses, keep
# it apart from a test run's CAIRN_TEST_NET), BENCH_CLIENTS (dnsperf -c, 8),
# BENCH_OUTSTANDING (dnsperf -q, 200), CAIRN_BIN (build/bin/cairn),
# BENCH_KEEP=1 keeps the work directory.

set -u
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=/usr/bin/python3
HELPER="$REPO/bench/resolver_bench_helper.py"
SECONDS_RUN=${BENCH_SECONDS:-10}
NET=${BENCH_NET:-127.57}
CLIENTS=${BENCH_CLIENTS:-8}
OUTSTANDING=${BENCH_OUTSTANDING:-200}
CAIRN_BIN=${CAIRN_BIN:-$REPO/build/bin/cairn}
HOT_NAMES=50
COLD_NAMES=200
SIGNED_NAMES=200

# shellcheck source=bench/bench_lib.sh
. "$REPO/bench/bench_lib.sh"
finish() { say "resolver_bench: $*"; exit 0; }

# -- prerequisites: report and exit 0 when something is missing -------------
[ "$(id -u)" = 0 ] || finish "skipped: needs root (NSD binds port 53 on $NET.x.y)"
[ -x "$PY" ] && "$PY" -c "import dns.message" 2>/dev/null \
    || finish "skipped: $PY with dnspython (python3-dnspython) is missing"
for tool in dnsperf taskset; do
    command -v "$tool" >/dev/null || finish "skipped: $tool is not installed"
done
for tool in nsd ldns-keygen ldns-signzone; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || finish "skipped: $tool is not installed"
done
UNBOUND=$(command -v unbound || { [ -x /usr/sbin/unbound ] && echo /usr/sbin/unbound; } || true)
CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then SERVER_CPU=0; CLIENT_CPU=1; else SERVER_CPU=0; CLIENT_CPU=0; fi
TICKS=$(getconf CLK_TCK)

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/resolver-bench.XXXXXX)
DRIVER_PID=""
RESOLVER_PID=""

trap cleanup EXIT
trap 'exit 0' INT TERM

# -- the mini-internet ----------------------------------------------------------
start_mini_internet \
    || finish "skipped: the mini-internet did not start (see above; another run on $NET? set BENCH_NET)"
ctl() { "$PY" "$REPO/bench/internet_ctl.py" "$INTERNET_CONTROL" "$@"; }

"$PY" "$HELPER" names hot "$HOT_NAMES" "$WORK/hot.txt"
"$PY" "$HELPER" names cold "$COLD_NAMES" "$WORK/cold.txt"
SIGNED_MIX=$("$PY" "$HELPER" names signed "$SIGNED_NAMES" "$WORK/signed.txt")

declare -A QPS CPU PERCORE COLD ANSWERED LOST NOTE
declare -A SMS SRATE SAD SFAIL SUP SANSWERED

# run_one NAME COMMAND... : measure one resolver; results in the arrays above
run_one() {
    local name=$1 port=$2
    shift 2
    local dir="$WORK/$name"
    "$@" >"$dir/stdout.log" 2>&1 &
    RESOLVER_PID=$!
    progress "$name: started"
    if ! "$PY" "$HELPER" wait "$port" 10 "$RESOLVER_PID"; then
        NOTE[$name]="$name did not start: $(tail -2 "$dir/stdout.log" | tr '\n' ' ')"
        say "  ${NOTE[$name]}"
        stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
        return
    fi
    # 1. cold names on a fresh cache: upstream queries from the dnstap records
    progress "$name: $COLD_NAMES cold names"
    sleep 0.5                       # start-up priming is not part of the count
    ctl reset >/dev/null
    read -r ok total < <("$PY" "$HELPER" resolve "$port" "$WORK/cold.txt")
    sleep 1                         # background fetches triggered by the list count too
    COLD[$name]=$(ctl count)
    ANSWERED[$name]="$ok/$total"
    # 2. hot names: pre-warm, then dnsperf
    progress "$name: dnsperf, ${SECONDS_RUN}s"
    read -r ok total < <("$PY" "$HELPER" resolve "$port" "$WORK/hot.txt")
    if [ "$ok" != "$total" ]; then
        NOTE[$name]="only $ok of $total hot names resolved"
    fi
    local t0 t1 c0 c1
    c0=$("$PY" "$HELPER" cputicks "$RESOLVER_PID")
    t0=$(date +%s.%N)
    taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/hot.txt" -l "$SECONDS_RUN" \
        -c "$CLIENTS" -q "$OUTSTANDING" -T 1 -t 2 >"$dir/dnsperf.txt" 2>&1
    t1=$(date +%s.%N)
    c1=$("$PY" "$HELPER" cputicks "$RESOLVER_PID" 2>/dev/null || echo "$c0")
    progress "$name: dnsperf finished"
    QPS[$name]=$("$PY" "$HELPER" dnsperf-field "$dir/dnsperf.txt" qps | awk 'NF { printf "%.0f", $1 }')
    LOST[$name]=$("$PY" "$HELPER" dnsperf-field "$dir/dnsperf.txt" lost)
    CPU[$name]=$(awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$TICKS" \
        'BEGIN { printf "%.3f", (c1 - c0) / hz / (t1 - t0) }')
    if [ -n "${QPS[$name]}" ]; then
        PERCORE[$name]=$(awk -v q="${QPS[$name]}" -v c="${CPU[$name]}" \
            'BEGIN { if (c > 0) printf "%.0f", q / c; else print "n/a" }')
    else
        NOTE[$name]="dnsperf failed: $(tail -1 "$dir/dnsperf.txt")"
    fi
    stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
    progress "$name: stopped"
}

# run_signed NAME PORT COMMAND... : a fresh resolver (empty cache) resolves the
# signed list with DO=1; results in the S* arrays, answers in WORK/NAME-signed
run_signed() {
    local name=$1 port=$2
    shift 2
    local dir="$WORK/$name-signed"
    "$@" >"$dir/stdout.log" 2>&1 &
    RESOLVER_PID=$!
    progress "$name: started again (fresh cache)"
    if ! "$PY" "$HELPER" wait "$port" 10 "$RESOLVER_PID"; then
        NOTE[$name-signed]="$name did not start for the signed phase: $(tail -2 "$dir/stdout.log" | tr '\n' ' ')"
        say "  ${NOTE[$name-signed]}"
        stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
        return
    fi
    progress "$name: $SIGNED_NAMES cold signed names, DO=1"
    sleep 0.5                       # start-up priming is not part of the count
    ctl reset >/dev/null
    local ms total ad servfail ok
    read -r ms total ad servfail ok < <("$PY" "$HELPER" resolve-signed "$port" "$WORK/signed.txt" "$dir/answers.txt")
    sleep 1                         # background fetches triggered by the list count too
    SUP[$name]=$(ctl count)
    SMS[$name]=$ms
    SRATE[$name]=$(awk -v n="$total" -v ms="$ms" 'BEGIN { if (ms > 0) printf "%.0f", n * 1000 / ms; else print "n/a" }')
    SAD[$name]="$ad/$total"
    SFAIL[$name]=$servfail
    SANSWERED[$name]="$ok/$total"
    stop_pid "$RESOLVER_PID"; RESOLVER_PID=""
    progress "$name: stopped"
}

# -- Cairn ---------------------------------------------------------------------------
if [ -x "$CAIRN_BIN" ]; then
    progress "cairn: $CAIRN_BIN"
    mkdir -p "$WORK/cairn"
    port=$(free_port)
    conf=$("$PY" "$HELPER" config cairn "$WORK/cairn" "$port" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
    run_one cairn "$port" taskset -c "$SERVER_CPU" "$CAIRN_BIN" --config "$conf"
    port=$(free_port)
    conf=$("$PY" "$HELPER" config cairn "$WORK/cairn-signed" "$port" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
    run_signed cairn "$port" taskset -c "$SERVER_CPU" "$CAIRN_BIN" --config "$conf"
else
    NOTE[cairn]="cairn did not start (no binary at $CAIRN_BIN)"
fi

# -- Unbound ------------------------------------------------------------------------
if [ -n "$UNBOUND" ]; then
    progress "unbound: $UNBOUND ($("$UNBOUND" -V 2>/dev/null | head -1))"
    mkdir -p "$WORK/unbound"
    port=$(free_port)
    conf=$("$PY" "$HELPER" config unbound "$WORK/unbound" "$port" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
    run_one unbound "$port" taskset -c "$SERVER_CPU" "$UNBOUND" -d -c "$conf"
    port=$(free_port)
    conf=$("$PY" "$HELPER" config unbound "$WORK/unbound-signed" "$port" "$INTERNET_ROOT_HINTS" "$INTERNET_TRUST_ANCHOR")
    run_signed unbound "$port" taskset -c "$SERVER_CPU" "$UNBOUND" -d -c "$conf"
else
    NOTE[unbound]="unbound is not installed: no peer to compare with"
fi

# -- report --------------------------------------------------------------------------
progress "done"
say ""
say "resolver benchmark: ${SECONDS_RUN}s cache-hit run of $HOT_NAMES names (dnsperf -c $CLIENTS -q $OUTSTANDING,"
say "CPU $CLIENT_CPU), resolver with 1 thread on CPU $SERVER_CPU; cold: $COLD_NAMES names, fresh cache"
say "load average before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) ($CPUS CPUs): other work on CPU 0/1 skews QPS"
if [ "$CPUS" -lt 2 ]; then say "warning: 1 CPU only: dnsperf and the resolver share it"; fi
printf '\n%-9s %12s %10s %15s %10s %18s %10s\n' resolver QPS "CPU share" "QPS/busy core" lost \
    "cold upstream q." answered
for name in cairn unbound; do
    printf '%-9s %12s %10s %15s %10s %18s %10s\n' "$name" "${QPS[$name]:--}" "${CPU[$name]:--}" \
        "${PERCORE[$name]:--}" "${LOST[$name]:--}" "${COLD[$name]:--}" "${ANSWERED[$name]:--}"
done
ratio() {   # ratio A B -> A/B or n/a
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a != "" && b != "" && a + 0 > 0 && b + 0 > 0 && a != "n/a" && b != "n/a") printf "%.2f", a / b; else print "n/a" }'
}
printf '%-9s %12s %10s %15s %10s %18s\n' "cairn/ub" "$(ratio "${QPS[cairn]:-}" "${QPS[unbound]:-}")" \
    "$(ratio "${CPU[cairn]:-}" "${CPU[unbound]:-}")" "$(ratio "${PERCORE[cairn]:-}" "${PERCORE[unbound]:-}")" \
    "" "$(ratio "${COLD[cairn]:-}" "${COLD[unbound]:-}")"
say "(QPS/busy core = QPS / CPU share: higher is better; cold upstream queries: lower is better)"

say ""
say "cold signed: $SIGNED_MIX;"
say "DO=1, 10 queries outstanding, fresh resolver process, both validating"
printf '\n%-9s %12s %10s %10s %10s %18s %10s\n' resolver "time (ms)" names/s "AD=1" SERVFAIL \
    "upstream queries" answered
for name in cairn unbound; do
    printf '%-9s %12s %10s %10s %10s %18s %10s\n' "$name" "${SMS[$name]:--}" "${SRATE[$name]:--}" \
        "${SAD[$name]:--}" "${SFAIL[$name]:--}" "${SUP[$name]:--}" "${SANSWERED[$name]:--}"
done
printf '%-9s %12s %10s %10s %10s %18s\n' "cairn/ub" "$(ratio "${SMS[cairn]:-}" "${SMS[unbound]:-}")" \
    "" "" "" "$(ratio "${SUP[cairn]:-}" "${SUP[unbound]:-}")"
say "(time and upstream queries: lower is better; AD=1 should be every name)"
if [ -f "$WORK/cairn-signed/answers.txt" ]; then
    grep -v ' ad$' "$WORK/cairn-signed/answers.txt" >"$WORK/cairn-noad.txt"
    if [ -s "$WORK/cairn-noad.txt" ]; then
        say "cairn: signed names without AD=1 ($(wc -l <"$WORK/cairn-noad.txt")): name type rcode ad"
        head -20 "$WORK/cairn-noad.txt" | sed 's/^/  /'
    fi
fi
if [ -f "$WORK/cairn-signed/answers.txt" ] && [ -f "$WORK/unbound-signed/answers.txt" ]; then
    "$PY" "$HELPER" compare "$WORK/cairn-signed/answers.txt" "$WORK/unbound-signed/answers.txt" \
        >"$WORK/signed-diff.txt"
    if [ -s "$WORK/signed-diff.txt" ]; then
        say "signed names where cairn and unbound differ ($(wc -l <"$WORK/signed-diff.txt")): cairn vs unbound"
        head -20 "$WORK/signed-diff.txt" | sed 's/^/  /'
    else
        say "cairn and unbound agree on every signed name (rcode and AD)"
    fi
fi
for name in cairn unbound cairn-signed unbound-signed; do
    [ -n "${NOTE[$name]:-}" ] && say "note: ${NOTE[$name]}"
done
exit 0
