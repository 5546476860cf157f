#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build Release, and run the
# resolver in the foreground with its built-in defaults (or the arguments
# given, e.g. --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/bin/cairn "$@"
