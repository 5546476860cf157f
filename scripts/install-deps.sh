#!/usr/bin/env bash
# Installs, with apt, whatever Debian 12 packages Cairn needs to build, test
# and benchmark that are not there yet. Safe to run again: it only installs
# what is missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config
    clang libclang-rt-14-dev clang-format
    libssl-dev libasio-dev libnghttp2-dev libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev
    libcap-ng-dev
    # sd_notify for the systemd unit (Type=notify, watchdog).
    libsystemd-dev
    # dnstap (dnstap-socket, dnstap-address): libfstrm writes the Frame
    # Streams, protobuf-c encodes the frames from src/observe/dnstap.proto
    # (protoc-c generates the C code at build time). fstrm_capture and
    # dnstap-ldns are the independent reader and decoder the tests use.
    libfstrm-dev libprotobuf-c-dev protobuf-c-compiler fstrm-bin dnstap-ldns
    # DNS over QUIC (listen-quic, cairnctl query --quic): ngtcp2 and its
    # GnuTLS crypto helper, the QUIC stack Debian 12 ships.
    libngtcp2-dev libngtcp2-crypto-gnutls-dev libgnutls28-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    python3 python3-pytest python3-dnspython
    nsd ldnsutils bind9-dnsutils dnsperf unbound
    # libfaketime: the trust-anchor rollover test moves cairn's wall clock
    # 30 days ahead (RFC 5011 hold-down) while its timers keep real time.
    faketime
    # Independent DoT/DoH clients for the encrypted listeners' tests: kdig
    # (+tls, +https), curl (HTTP/2), openssl s_client, and dnspython's DoH
    # client, which needs httpx with h2 for HTTP/2 (the h2 library also
    # drives the tests' raw HTTP/2 streams). kdig +quic is the independent
    # DoQ client (Debian 12 has no aioquic for dnspython's).
    knot-dnsutils curl openssl python3-httpx python3-h2
    # The Debian package (scripts/package.sh, tests/package): dpkg-shlibdeps
    # needs file; lintian checks the package; systemd-analyze (systemd)
    # checks the unit offline; man renders the manual pages.
    file lintian systemd man-db
    # promtool checks the /metrics page (tests/integration/test_metrics.py).
    prometheus
    # The dashboard's browser test (tests/integration/test_dashboard.py)
    # drives headless Chromium through its WebDriver.
    chromium chromium-driver python3-selenium
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Services some packages would start (nsd, unbound, prometheus) are not
# wanted: tests start their own instances on loopback.
$sudo env RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"
