"""Nothing imports upward: the core and the adapters never import the runner, the results, the lmms-eval glue or
the CLI. Read from the source with `ast` (imports inside functions count), so no module is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

# Bottom to top. A layer is a list of module prefixes inside `spar_bench` (`protocols` covers the package);
# metrics/ and model_adapters/ are installed as spar_bench.metrics and spar_bench.model_adapters.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": (
        "errors",
        "tasks_spec",
        "task_sets",
        "data",
        "prompts",
        "protocols",
        "metrics",
        "aggregate",
        "journal",
        "synth",
    ),
    "adapters": ("model_adapters",),
    "evaluation": ("runner", "run_folder"),
    "results": ("results", "leaderboard", "submit", "compare", "explore", "plots"),
    "interfaces": ("cli", "lmms", "lmms_cli", "lmms_plugin", "lmms_tasks", "__main__"),
}
# The checked rule: these layers import nothing from the ones named after them.
CHECKED = {"core": ("evaluation", "results", "interfaces"), "adapters": ("evaluation", "results", "interfaces")}
SOURCE_FOLDERS = {
    "spar_bench": REPO / "spar_bench",
    "metrics": REPO / "metrics",
    "model_adapters": REPO / "model_adapters",
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


def test_layer_table_names_modules_that_exist():
    layers = {layer_of(module) for module in module_files()}
    assert set(LAYERS) <= layers | {"results"}  # results may be a package still to come


def test_the_layer_table_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "probe.py"
    source.write_text("def f():\n    from spar_bench.runner import run\n    from . import cli\n")
    imported = imported_modules("spar_bench.probe", source)
    assert {layer_of(name) for name in imported} >= {"evaluation", "interfaces"}


@pytest.mark.parametrize("layer", sorted(CHECKED))
def test_lower_layers_never_import_upward(layer):
    upward = []
    for module, path in module_files().items():
        if layer_of(module) != layer:
            continue
        for name in sorted(imported_modules(module, path)):
            if layer_of(name) in CHECKED[layer]:
                upward.append(f"{module} imports {name} ({layer_of(name)})")
    assert upward == []
