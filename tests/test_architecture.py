"""docs/architecture.md against the code: every module it names imports, every module stays small, and a plain
checkout imports as the installed tree does."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import sysconfig

import pytest
from conftest import REPO

ARCHITECTURE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
NAMED = sorted(set(re.findall(r"`(spar_bench(?:\.[a-z_0-9]+)+)`", ARCHITECTURE)))
MAX_LINES = 400
SOURCE = [REPO / "spar_bench", REPO / "metrics", REPO / "model_adapters", REPO / "tasks"]


def test_the_page_names_the_modules_where_rules_live():
    assert len(NAMED) >= 40


@pytest.mark.parametrize("name", NAMED)
def test_every_module_the_page_names_imports(name):
    importlib.import_module(name)


def test_no_module_is_longer_than_400_lines():
    long = {}
    for folder in SOURCE:
        for path in folder.rglob("*.py"):
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > MAX_LINES:
                long[str(path.relative_to(REPO))] = n
    assert long == {}


def test_the_sub_packages_import():
    subprocess.run([sys.executable, "-c", "import spar_bench.results, spar_bench.lmms"], check=True, cwd=REPO)


def test_a_plain_checkout_imports_metrics_adapters_and_tasks_under_spar_bench(tmp_path):
    """With no install at all (`python -S` skips site-packages' .pth files and the editable finder; the packages
    spar-bench depends on are put on the path by hand), `spar_bench.metrics` comes from the checkout's metrics/."""
    site = sysconfig.get_paths()["purelib"]
    code = (
        "import spar_bench.metrics.mra as m, spar_bench.model_adapters.base as b, spar_bench.tasks as t; "
        "print(m.__file__); print(b.__file__); print(t.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        env={"PYTHONPATH": f"{REPO}:{site}"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [
        str(REPO / "metrics" / "mra.py"),
        str(REPO / "model_adapters" / "base.py"),
        str(REPO / "tasks" / "__init__.py"),
    ]
