#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run every test:
# unit tests (ctest), integration tests (pytest), in CI the Debian package
# (tests/package), a short fuzzing run of each target, and the unit tests
# again under AddressSanitizer + UBSan.
#   FUZZ_SECONDS (default 60) sets each fuzz target's run time.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==== %s\n' "$*"; }

step "dependencies"
scripts/install-deps.sh

step "format check"
scripts/check-format.sh

step "layering check (DESIGN.md's layer table)"
scripts/check-layers.sh

step "release build and unit tests"
scripts/build.sh release
ctest --test-dir build --output-on-failure -j2

step "integration tests"
/usr/bin/python3 -m pytest -q tests/integration

# It installs and purges the package on this machine: CI only.
if [ "${CI:-}" = "true" ]; then
    step "Debian package: build, lintian, install, run the installed cairn, purge"
    /usr/bin/python3 -m pytest -q tests/package
fi

step "sanitizer build (ASan + UBSan) and unit tests"
scripts/build.sh asan unit_tests
ctest --test-dir build-asan --output-on-failure -j2

step "fuzzing (${FUZZ_SECONDS:-60} s per target)"
scripts/build.sh fuzz fuzz_targets
tests/fuzz/run.sh build-fuzz/bin "${FUZZ_SECONDS:-60}"

step "all tests passed"
