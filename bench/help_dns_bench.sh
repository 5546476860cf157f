#!/usr/bin/env bash
# What the DNS can do to help a resolver, measured on the integration tests'
# mini-internet: RFC 8198 aggressive use of NSEC/NSEC3 against a
# random-subdomain attack, RFC 8767 serve-stale through an outage of every
# authoritative server, and prefetch under Zipf-distributed queries. Cairn
# against Unbound (aggressive-nsec, serve-expired, prefetch).
#
#   bench/help_dns_bench.sh            (as root, from anywhere)
#
# The work is done by bench/help_dns_bench.py (its docstring has the details
# of each phase), which runs the mini-internet in its own process and stops
# every server and resolver it started by pid.
#
# A benchmark measures, it never fails a build: this script always exits 0,
# with a clear message when something is missing.
#
# Env: BENCH_NET (127.58: mini-internet addresses, keep it apart from a test
# run's CAIRN_TEST_NET and other benchmarks), BENCH_PHASES
# (aggressive,outage,prefetch), BENCH_FLOOD (20000 random names per zone),
# BENCH_OUTAGE_NAMES (200), BENCH_PREFETCH_SECONDS (120), BENCH_PREFETCH_QPS
# (50), BENCH_ZIPF_S (1.0), CAIRN_BIN (build/bin/cairn),
# BENCH_KEEP=1 keeps the work directory (resolver configs and logs).

set -u
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=/usr/bin/python3

say() { printf '%s\n' "$*"; }
finish() { say "help_dns_bench: $*"; exit 0; }

[ "$(id -u)" = 0 ] || finish "skipped: needs root (NSD binds port 53 on ${BENCH_NET:-127.58}.x.y)"
[ -x "$PY" ] && "$PY" -c "import dns.message" 2>/dev/null \
    || finish "skipped: $PY with dnspython (python3-dnspython) is missing"
for tool in nsd ldns-keygen ldns-signzone; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || finish "skipped: $tool is not installed"
done
if ! command -v unbound >/dev/null && [ ! -x /usr/sbin/unbound ]; then
    say "note: unbound is not installed: no peer to compare with"
fi

WORK=$(mktemp -d /tmp/help-dns-bench.XXXXXX)
HELPER_PID=""
cleanup() {
    if [ -n "$HELPER_PID" ] && kill -0 "$HELPER_PID" 2>/dev/null; then
        kill -TERM "$HELPER_PID" 2>/dev/null   # the helper stops its servers and resolvers
        wait "$HELPER_PID" 2>/dev/null
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
"$PY" "$REPO/bench/help_dns_bench.py" "$WORK" &
HELPER_PID=$!
wait "$HELPER_PID"
HELPER_PID=""
say "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
