"""Nothing imports upward: every module imports only from its own layer and those below, as the layer table of
docs/architecture.md says. Read from the source with `ast` (imports inside functions count), so no module is
imported to check it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import REPO

ARCHITECTURE = REPO / "docs" / "architecture.md"


def _layer_table() -> dict[str, tuple[str, ...]]:
    """{layer: module prefixes inside spar_bench}, bottom to top, from docs/architecture.md's layer table."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("<!-- layers: begin -->", 1)[1].split("<!-- layers: end -->", 1)[0]
    layers = {}
    for line in table.strip().splitlines()[2:]:  # after the header and its rule
        layer, modules, _ = (cell.strip() for cell in line.strip().strip("|").split("|", 2))
        layers[layer] = tuple(re.findall(r"`([a-z_]+)`", modules))
    return layers


# Bottom to top. A layer is a list of module prefixes inside `spar_bench` (`protocols` covers the package);
# metrics/, model_adapters/ and tasks/ are installed as spar_bench.metrics, .model_adapters and .tasks.
LAYERS: dict[str, tuple[str, ...]] = _layer_table()
ORDER = list(LAYERS)
SOURCE_FOLDERS = {
    "spar_bench": REPO / "spar_bench",
    "metrics": REPO / "metrics",
    "model_adapters": REPO / "model_adapters",
    "tasks": REPO / "tasks",
}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name (`spar_bench.protocols.strict` -> core), or None if it is in none."""
    parts = module.split(".")
    if parts[0] != "spar_bench" or len(parts) < 2:
        return None
    for layer, prefixes in LAYERS.items():
        if parts[1] in prefixes:
            return layer
    return None


def module_files() -> dict[str, Path]:
    """Every module of the package, by its installed dotted name."""
    modules = {}
    for folder_name, folder in SOURCE_FOLDERS.items():
        package = "spar_bench" if folder_name == "spar_bench" else f"spar_bench.{folder_name}"
        for path in sorted(folder.rglob("*.py")):
            parts = [package, *path.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_modules(module: str, path: Path) -> set[str]:
    """The dotted names a module imports anywhere in its body (relative imports resolved; `from spar_bench
    import cli` counts as importing spar_bench.cli)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def test_the_layer_table_is_read_from_the_architecture_page():
    assert ORDER == ["core", "adapters", "evaluation", "results", "interfaces"]
    assert "protocols" in LAYERS["core"] and "results" in LAYERS["results"] and "cli" in LAYERS["interfaces"]


def test_every_module_is_in_exactly_one_layer_and_every_named_prefix_exists():
    modules = [m for m in module_files() if m != "spar_bench"]
    assert [m for m in modules if layer_of(m) is None] == []
    prefixes = [p for names in LAYERS.values() for p in names]
    assert len(prefixes) == len(set(prefixes)), "a module prefix is in two layers"
    present = {m.split(".")[1] for m in modules}
    assert sorted(set(prefixes) - present) == []


def test_the_layer_table_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from spar_bench.runner import run\n    from . import cli\n")
    imported = imported_modules("spar_bench.probe", source)
    assert {layer_of(name) for name in imported} >= {"evaluation", "interfaces"}


@pytest.mark.parametrize("layer", ORDER[:-1])
def test_no_module_imports_from_a_layer_above_its_own(layer):
    above = ORDER[ORDER.index(layer) + 1 :]
    upward = []
    for module, path in module_files().items():
        if layer_of(module) != layer:
            continue
        for name in sorted(imported_modules(module, path)):
            if layer_of(name) in above:
                upward.append(f"{module} imports {name} ({layer_of(name)})")
    assert upward == []
