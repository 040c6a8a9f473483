"""lmms-eval registration: every model of `spar_bench.model_adapters.registry`, and this package's task folder
for a flag-free `--tasks spar_bench`.

lmms-eval 0.7.3 has an entry-point group for models (`lmms_eval.models`) but none for tasks. It imports
`lmms_eval.models` (and so calls `lmms_eval_models`) before it builds its task index, so that call also wraps
`TaskManager.initialize_tasks` to append our folder to the include paths. That is private API: the wrapper is
installed only if the method still has the shape we know, at most once, and any surprise leaves lmms-eval
untouched (logged, never raised), so neither lmms-eval nor another plugin can be broken by it.
Set SPAR_BENCH_NO_TASK_REGISTRATION=1 to switch it off (`--include_path` still works).
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
from importlib import resources
from pathlib import Path

from spar_bench.model_adapters.registry import MODELS

logger = logging.getLogger(__name__)

_MODEL_CLASSES = "spar_bench.lmms.models"  # where each entry's `lmms_class` is defined
_MARKER = "_spar_bench_task_folder"


def tasks_folder() -> Path:
    """The folder holding this package's lmms-eval YAMLs (what `--include_path` would be given)."""
    return Path(str(resources.files("spar_bench.tasks")))


def lmms_eval_models() -> list:
    """Entry point of the `lmms_eval.models` group: our model manifests. Never raises."""
    try:
        register_task_folder()
    except Exception as error:
        logger.warning("spar-bench: tasks not auto-registered (%s); use --include_path %s", error, tasks_folder())
    try:
        from lmms_eval.models.registry_v2 import ModelManifest
    except Exception as error:
        logger.warning("spar-bench: this lmms-eval has no ModelManifest (%s); baseline models not registered", error)
        return []
    return [
        ModelManifest(model_id=entry.name, simple_class_path=f"{_MODEL_CLASSES}.{entry.lmms_class}")
        for entry in MODELS.values()
    ]


def register_task_folder() -> bool:
    """Make every TaskManager index our task folder as well; True if the wrapper is (now) installed."""
    if os.environ.get("SPAR_BENCH_NO_TASK_REGISTRATION") == "1":
        return False
    from lmms_eval.tasks import TaskManager

    original = TaskManager.initialize_tasks
    if getattr(original, _MARKER, None):
        return True
    parameters = list(inspect.signature(original).parameters)
    if parameters[:3] != ["self", "include_path", "include_defaults"]:
        logger.warning("spar-bench: unknown TaskManager.initialize_tasks%s; use --include_path", parameters)
        return False
    folder = str(tasks_folder())

    @functools.wraps(original)
    def initialize_tasks(self, include_path=None, include_defaults=True, *args, **kwargs):
        return original(self, _with_folder(include_path, folder), include_defaults, *args, **kwargs)

    setattr(initialize_tasks, _MARKER, folder)
    TaskManager.initialize_tasks = initialize_tasks
    return True


def _with_folder(include_path: str | list[str] | None, folder: str) -> list[str]:
    """include_path as a list with `folder` appended unless it is already there."""
    paths = [] if include_path is None else [include_path] if isinstance(include_path, str) else list(include_path)
    if not any(os.path.realpath(p) == os.path.realpath(folder) for p in paths):
        paths.append(folder)
    return paths
