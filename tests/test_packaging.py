"""The wheel carries the task YAMLs, their template and the embedded datasets; the core imports neither torch nor lmms-eval."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (path,) = out.glob("spar_bench-*.whl")
    return zipfile.ZipFile(path)


def names(wheel: zipfile.ZipFile) -> set[str]:
    return set(wheel.namelist())


def test_wheel_contains_every_task_yaml_and_the_template(wheel):
    repo_yamls = {p.name for p in (REPO / "tasks").glob("*.yaml")}
    assert len(repo_yamls) == 68
    assert {f"spar_bench/tasks/{name}" for name in repo_yamls} <= names(wheel)
    assert "spar_bench/tasks/_spar_bench_template_yaml" in names(wheel)
    assert "spar_bench/tasks/utils.py" in names(wheel)


def test_wheel_contains_the_embedded_datasets(wheel):
    assert "spar_bench/tasks/data/spar_bench_synth.parquet" in names(wheel)
    assert "spar_bench/tasks/data/spar_bench_synth_3d.parquet" in names(wheel)


def test_wheel_installs_folders_only_inside_the_spar_bench_namespace(wheel):
    top_level = {name.split("/")[0] for name in names(wheel) if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"spar_bench"}
    for module in (
        "metrics/mra.py",
        "model_adapters/baselines.py",
        "model_adapters/registry.py",
        "protocols/official.py",
        "lmms/plugin.py",
        "lmms/models.py",
    ):
        assert f"spar_bench/{module}" in names(wheel)


def test_wheel_contains_every_module_of_the_source_tree(wheel):
    """pyproject.toml lists the packages by hand (the top-level folders are mapped into spar_bench): a new
    sub-package missing from that list would install without its modules."""
    source = {
        f"spar_bench/{path.relative_to(REPO / 'spar_bench').as_posix()}" for path in (REPO / "spar_bench").rglob("*.py")
    }
    for folder in ("metrics", "model_adapters", "tasks"):
        source |= {f"spar_bench/{path.relative_to(REPO).as_posix()}" for path in (REPO / folder).rglob("*.py")}
    assert len(source) > 100
    assert sorted(source - names(wheel)) == []
    pages = {f"spar_bench/pages/{path.name}" for path in (REPO / "spar_bench" / "pages").glob("*.html")}
    assert pages and pages <= names(wheel)


def test_wheel_declares_console_script_and_lmms_eval_entry_point(wheel):
    (entry_points,) = [n for n in names(wheel) if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "spar-bench = spar_bench.cli:main" in text
    assert "[lmms_eval.models]" in text and "spar_bench = spar_bench.lmms.plugin:lmms_eval_models" in text


def test_wheel_keeps_lmms_eval_and_torch_in_extras(wheel):
    (metadata,) = [n for n in names(wheel) if n.endswith(".dist-info/METADATA")]
    requires = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")]
    core = [line for line in requires if "extra ==" not in line]
    assert not any(pkg in line for line in core for pkg in ("lmms-eval", "torch", "transformers"))
    assert any("lmms-eval==0.7.3" in line and 'extra == "lmms"' in line for line in requires)
    assert any("filelock<4" in line and 'extra == "lmms"' in line for line in requires)


def test_core_modules_import_neither_torch_nor_lmms_eval():
    code = (
        "import sys, spar_bench.data, spar_bench.protocols, spar_bench.aggregate, spar_bench.prompts, "
        "spar_bench.cli, spar_bench.cli.report, spar_bench.model_adapters.baselines, spar_bench.model_adapters.registry, "
        "spar_bench.lmms, spar_bench.lmms.plugin, spar_bench.lmms.tasks; "
        "print(sorted(m for m in ('torch', 'lmms_eval', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_python_dash_m_and_console_script_run():
    result = subprocess.run([sys.executable, "-m", "spar_bench", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("spar-bench ")
    script = Path(sys.executable).parent / "spar-bench"
    assert script.exists(), "the console script is not installed next to the interpreter"


def test_installed_wheel_runs_on_its_own_files(wheel, tmp_path):
    # `pip install .` (not editable): the wheel's files alone must carry the package, tasks and data.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), wheel.filename],
        check=True,
        capture_output=True,
        timeout=300,
    )
    code = (
        "import spar_bench, spar_bench.data as d, spar_bench.lmms.plugin as p; "
        "print(spar_bench.__file__); print(p.tasks_folder()); print(len(d.load_dataset('synth')))"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path
    )  # not the checkout, whose spar_bench/ would shadow the wheel
    assert result.returncode == 0, result.stderr[-2000:]
    package_file, tasks, rows = result.stdout.split()
    assert package_file.startswith(str(target)) and tasks.startswith(str(target))
    assert rows == "200"
