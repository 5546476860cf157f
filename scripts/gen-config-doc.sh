#!/usr/bin/env bash
# Rewrites docs/configuration.md from the option table
# (src/config/options_table.cc), through configuration_markdown().
#   scripts/gen-config-doc.sh [BUILD_DIR]     (default: build-debug)
# The unit test ConfigDoc.CommittedDocumentationIsUpToDate fails whenever the
# committed file differs; with CAIRN_UPDATE_CONFIG_DOC=1 it writes the file.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-build-debug}
if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCAIRN_BENCH=OFF >/dev/null
fi
cmake --build "$dir" -j2 --target unit_tests
CAIRN_UPDATE_CONFIG_DOC=1 "$dir/bin/unit_tests" \
    --gtest_filter=ConfigDoc.CommittedDocumentationIsUpToDate >/dev/null
"$dir/bin/unit_tests" --gtest_filter='ConfigDoc.*' --gtest_brief=1
git --no-pager diff --stat -- docs/configuration.md
