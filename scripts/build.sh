#!/usr/bin/env bash
# Configures and builds one flavour of Cairn.
#   scripts/build.sh [release|debug|asan|fuzz] [TARGET...]
# Output: build/ (release), build-debug/, build-asan/, build-fuzz/; programs
# in <dir>/bin.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
shift || true
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
case "$flavour" in
    release) dir=build; args=(-DCMAKE_BUILD_TYPE=Release) ;;
    debug)   dir=build-debug; args=(-DCMAKE_BUILD_TYPE=Debug) ;;
    asan)    dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON -DCAIRN_BENCH=OFF) ;;
    fuzz)    dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_FUZZ=ON -DCAIRN_TESTS=OFF
                                   -DCAIRN_BENCH=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
    *) echo "usage: $0 [release|debug|asan|fuzz]" >&2; exit 1 ;;
esac

cmake -S . -B "$dir" -G Ninja -DCAIRN_WERROR="$werror" "${args[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j2 "${targets[@]}"
