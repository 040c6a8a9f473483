"""Kept for imports written against 0.2; the code lives in spar_bench.lmms.plugin."""

# A 0.2 install's `lmms_eval.models` entry point names spar_bench.lmms_plugin:lmms_eval_models.
from spar_bench.lmms.plugin import lmms_eval_models, register_task_folder, tasks_folder

__all__ = ["lmms_eval_models", "register_task_folder", "tasks_folder"]
