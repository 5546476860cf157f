#!/usr/bin/env bash
# Builds the Debian package from a Release build:
#   scripts/package.sh            -> build/cairn_<version>_<arch>.deb
# Reuses build/ (scripts/build.sh release), building only the programs and
# the manual pages; CPack's DEB generator does the rest (packaging/).
# Prints the path of the package on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/build.sh release cairn cairnctl package_files >&2
staging=build/package
rm -rf "$staging"
(cd build && cpack -G DEB -B "$PWD/package") >&2
deb=$(find "$staging" -maxdepth 1 -name 'cairn_*.deb' -print -quit)
[ -n "$deb" ] || { echo "package.sh: cpack made no .deb" >&2; exit 1; }
mv "$deb" build/
echo "build/$(basename "$deb")"
