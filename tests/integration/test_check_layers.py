"""scripts/check-layers.sh against small trees built here: it passes a tree
that keeps DESIGN.md's layering, and names file, line and include (or
CMake line) when a layer reaches up. No DNS, no daemon."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check-layers.sh"

DESIGN = """# Design

## Layers

Each layer depends only on the layers above it.

| layer | folder | owns | knows nothing of |
|---|---|---|---|
| wire | `src/wire/` | names | I/O |
| cache | `src/cache/` | RRsets | sockets |
| resolve | `src/resolve/` | iteration | listening sockets |
| apps | `apps/` | mains | — |

## Data path

| step | what |
|---|---|
| server | not a layer: another table |
"""


def make_tree(root: Path, files: dict[str, str]) -> Path:
    base = {
        "src/wire/name.h": "#pragma once\n",
        "src/wire/name.cc": '#include "wire/name.h"\n',
        "src/wire/CMakeLists.txt": "cairn_layer(wire )\n",
        "src/cache/rrset.h": '#pragma once\n#include "wire/name.h"\n',
        "src/cache/rrset.cc": '#include "cache/rrset.h"\n#include <vector>\n',
        "src/cache/CMakeLists.txt": "cairn_layer(cache cairn_wire)\n",
        "src/resolve/iterator.cc": '#include "cache/rrset.h"\n#include "wire/name.h"\n',
        "src/resolve/CMakeLists.txt": "cairn_layer(resolve cairn_cache)\n"
                                      "target_link_libraries(cairn_resolve PUBLIC Threads::Threads)\n",
        "apps/tool/main.cc": '#include "resolve/iterator.h"\n#include "tool/args.h"\n'
                             '#include "local.h"\n',
        "apps/tool/args.h": "#pragma once\n",
    }
    base.update(files)
    for name, text in base.items():
        path = root / "repo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "repo"


def check(repo: Path, design: str | None = DESIGN) -> subprocess.CompletedProcess:
    design_path = repo.parent / "shared" / "DESIGN.md"
    if design is not None:
        design_path.parent.mkdir(exist_ok=True)
        design_path.write_text(design)
    return subprocess.run(["bash", str(SCRIPT), str(repo)], capture_output=True, text=True,
                          timeout=60)


def test_tree_that_keeps_the_layering_passes(tmp_path):
    result = check(make_tree(tmp_path, {}))
    assert result.returncode == 0, result.stderr
    assert "ok (wire, cache, resolve, apps)" in result.stdout


def test_include_of_a_later_layer_names_file_line_and_include(tmp_path):
    repo = make_tree(tmp_path, {
        "src/wire/name.cc": '#include "wire/name.h"\n\n#include "cache/rrset.h"\n',
        "src/cache/rrset.h": '#pragma once\n  #  include "resolve/iterator.h"\n',
        "src/cache/notes.cc": '// #include "resolve/iterator.h" in a comment is fine\n',
    })
    result = check(repo)
    assert result.returncode == 1
    assert ('src/wire/name.cc:3: #include "cache/rrset.h": wire reaches up to cache'
            in result.stderr)
    assert ('src/cache/rrset.h:2: #  include "resolve/iterator.h": cache reaches up to resolve'
            in result.stderr)
    assert "notes.cc" not in result.stderr
    assert "2 problem(s)" in result.stderr


def test_order_is_read_from_design_md(tmp_path):
    repo = make_tree(tmp_path, {})
    swapped = DESIGN.replace("| wire |", "| tmp |").replace("| cache |", "| wire |") \
                    .replace("| tmp |", "| cache |")
    swapped = swapped.replace("`src/wire/`", "`src/tmp/`").replace("`src/cache/`", "`src/wire/`") \
                     .replace("`src/tmp/`", "`src/cache/`")
    result = check(repo, swapped)
    assert result.returncode == 1
    assert "src/cache/rrset.h:2: #include \"wire/name.h\": cache reaches up to wire" in result.stderr
    assert "src/cache/CMakeLists.txt:1: cairn_layer(cache cairn_wire): cache links wire" \
        in result.stderr


def test_without_design_md_the_built_in_order_is_used(tmp_path):
    repo = make_tree(tmp_path, {"src/wire/name.cc": '#include "server/worker.h"\n'})
    result = check(repo, design=None)
    assert "not found, using the order built into" in result.stdout
    assert result.returncode == 1
    assert 'src/wire/name.cc:1: #include "server/worker.h": wire reaches up to server' \
        in result.stderr


def test_unknown_folders_and_prefixes_are_errors(tmp_path):
    repo = make_tree(tmp_path, {
        "src/extras/thing.h": "#pragma once\n",
        "src/resolve/iterator.cc": '#include "asio/thing.h"\n',
    })
    result = check(repo)
    assert result.returncode == 1
    assert "src/extras/: folder not named in the layer table" in result.stderr
    assert "src/resolve/iterator.cc:1: #include \"asio/thing.h\": 'asio/' is no layer's folder" \
        in result.stderr


def test_cmake_link_to_a_later_layer_is_an_error(tmp_path):
    repo = make_tree(tmp_path, {
        "src/wire/CMakeLists.txt": "# cairn_resolve in a comment is fine\n"
                                   "cairn_layer(wire )\n"
                                   "target_link_libraries(cairn_wire PUBLIC cairn_resolve)\n",
    })
    result = check(repo)
    assert result.returncode == 1
    assert ("src/wire/CMakeLists.txt:3: target_link_libraries(cairn_wire PUBLIC cairn_resolve): "
            "wire links resolve, a layer above it") in result.stderr
    assert "CMakeLists.txt:1" not in result.stderr


def test_this_repository_keeps_its_layering():
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
