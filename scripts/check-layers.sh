#!/usr/bin/env bash
# Fails when a file reaches up a layer: DESIGN.md's "Layers" table orders
# the layers (wire first, apps last) and each may use only those before it.
#   scripts/check-layers.sh [--design FILE] [ROOT]
# ROOT (default: this repository) is scanned: every `#include "x/..."` in
# src/ and apps/, and the cairn_<layer> libraries each src/<layer>/CMakeLists.txt
# links. The order is read from FILE (default: ROOT/../shared/DESIGN.md) so
# that code and design cannot drift; without it, the order below is used.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
design=""
while [ $# -gt 0 ]; do
    case "$1" in
        --design) design=$2; shift 2 ;;
        -*) echo "usage: $0 [--design FILE] [ROOT]" >&2; exit 2 ;;
        *) root=$1; shift ;;
    esac
done
[ -n "$design" ] || design=$root/../shared/DESIGN.md
exec /usr/bin/python3 - "$root" "$design" "$0" <<'PY'
import os
import re
import sys

root, design, script = sys.argv[1], sys.argv[2], sys.argv[3]

# DESIGN.md's table as of this script; used only when DESIGN.md is absent.
FALLBACK = [("wire", "src/wire/"), ("observe", "src/observe/"), ("dnssec", "src/dnssec/"),
            ("cache", "src/cache/"), ("policy", "src/policy/"), ("resolve", "src/resolve/"),
            ("net", "src/net/"), ("server", "src/server/"), ("config", "src/config/"),
            ("apps", "apps/")]


def read_table(path):
    """(layer, folder) rows of the table under the "## Layers" heading."""
    rows, in_section = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                in_section = line.strip() == "## Layers"
                continue
            if not in_section or not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 2 or cells[0] in ("layer", "") or set(cells[0]) <= set("-: "):
                continue
            rows.append((cells[0], cells[1].strip("`")))
    return rows


if os.path.isfile(design):
    table = read_table(design)
    if not table:
        sys.exit(f"check-layers: {design} has no table under '## Layers'")
else:
    print(f"check-layers: note: {design} not found, using the order built into {script}")
    table = FALLBACK

rank = {}         # layer -> position in the table
owner = {}        # folder under src/ or apps/ ("wire", "cairnctl") -> layer
apps_layer = None
for position, (layer, folder) in enumerate(table):
    rank[layer] = position
    parts = folder.strip("/").split("/")
    if parts[0] == "src" and len(parts) == 2:
        owner[parts[1]] = layer
    elif parts == ["apps"]:
        apps_layer = layer
    else:
        sys.exit(f"check-layers: layer '{layer}': folder '{folder}' is neither src/<name>/ nor apps/")

errors = []
src = os.path.join(root, "src")
for folder in sorted(os.listdir(src)):
    if os.path.isdir(os.path.join(src, folder)) and folder not in owner:
        errors.append(f"src/{folder}/: folder not named in the layer table")
apps = os.path.join(root, "apps")
if os.path.isdir(apps) and apps_layer is not None:
    for folder in sorted(os.listdir(apps)):
        if os.path.isdir(os.path.join(apps, folder)):
            owner.setdefault(folder, apps_layer)

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"/]+)/[^"]*"')


def check_includes(top, layer_of_file):
    for dirpath, _, files in sorted(os.walk(os.path.join(root, top))):
        for name in sorted(files):
            if not name.endswith((".h", ".cc")):
                continue
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, root)
            layer = layer_of_file(relative)
            if layer is None:
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    target = owner.get(match.group(1))
                    if target is None:
                        errors.append(f"{relative}:{number}: {line.strip()}: "
                                      f"'{match.group(1)}/' is no layer's folder")
                    elif rank[target] > rank[layer]:
                        errors.append(f"{relative}:{number}: {line.strip()}: {layer} "
                                      f"reaches up to {target}")


def src_layer(relative):
    parts = relative.split(os.sep)
    return owner.get(parts[1]) if len(parts) > 2 else None


check_includes("src", src_layer)
if os.path.isdir(apps) and apps_layer is not None:
    check_includes("apps", lambda relative: apps_layer)

LIBRARY = re.compile(r"\bcairn_([a-z0-9_]+)\b")
for folder in sorted(os.listdir(src)):
    cmake = os.path.join(src, folder, "CMakeLists.txt")
    layer = owner.get(folder)
    if layer is None or not os.path.isfile(cmake):
        continue
    with open(cmake, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            code = line.split("#", 1)[0]
            for match in LIBRARY.finditer(code):
                target = owner.get(match.group(1))
                if target is not None and rank[target] > rank[layer]:
                    errors.append(f"src/{folder}/CMakeLists.txt:{number}: {line.strip()}: "
                                  f"{layer} links {target}, a layer above it")

for error in errors:
    print(error, file=sys.stderr)
if errors:
    order = ", ".join(layer for layer, _ in table)
    sys.exit(f"check-layers: {len(errors)} problem(s); a layer uses only those before it: {order}")
print(f"check-layers: ok ({', '.join(layer for layer, _ in table)})")
PY
