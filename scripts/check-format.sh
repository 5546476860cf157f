#!/usr/bin/env bash
# Fails when any C++ file in the tree differs from clang-format's output.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cc' '*.h')
[ -z "$files" ] && exit 0
if ! echo "$files" | xargs clang-format --dry-run --Werror 2>/tmp/cairn-format.log; then
    grep -m 20 'warning\|error' /tmp/cairn-format.log || true
    echo "clang-format: the files above need formatting (run: git ls-files '*.cc' '*.h' | xargs clang-format -i)" >&2
    exit 1
fi
