"""The lmms-eval door into spar-bench: `plugin` (the entry point: models and task folder), `tasks` (what the task
YAMLs call, through `tasks/utils.py`), `models` (the lmms-eval model classes, one per registry entry) and `cli`
(`spar-bench lmms-eval`). Only `models` and `cli` import lmms-eval, and only when they are imported.
"""
