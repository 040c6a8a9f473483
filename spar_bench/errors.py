"""The errors a user meets, in one tree.

Every error spar-bench raises for something a user can fix (an argument, a file, a dataset, a server, a bundle)
is a `SparBenchError`, and its message says what is wrong and what to do. The command line catches the root
once, prints the message and exits 2 (1 for failed requests); anything else is a bug and surfaces as a
traceback. Each module raises the most specific class it has, defined beside the code that raises it and
rooted here:

    SparBenchError
    ├── DataError            a dataset, task or task set that cannot be found or read    (schema, tasks_spec, task_sets, synth)
    ├── ScoringInputError    predictions or samples logs that cannot be scored            (predictions, vlmevalkit, protocols)
    ├── ModelError           a model name, model argument or checkpoint an adapter cannot use  (model_adapters)
    │   └── RequestError     a model server that did not answer                            (openai_client, health, lmms.models)
    ├── RunFolderError       a run folder that is locked, foreign or cannot be read        (run_folder, results.run_reader, results.sides)
    ├── BundleError          a submission bundle that cannot be packed or checked           (results.bundle, results.prepare)
    └── LeaderboardError     a leaderboard entry or table that is not in the format         (results.entry)

Classes that were `ValueError` (or `KeyError`) before this tree keep that base as well, so that code which
catches the built-in keeps working; inside spar-bench only the tree is caught.
"""

from __future__ import annotations


class SparBenchError(Exception):
    """Root of every error a user can act on; the message names the argument, file, row or server."""


class DataError(SparBenchError):
    """A dataset, a task id or an evaluation-set name that cannot be found or read."""


class ScoringInputError(SparBenchError):
    """A predictions file, samples log or foreign prediction file that cannot be scored as it is."""


class ModelError(SparBenchError):
    """A model name, model argument or checkpoint that an adapter cannot use."""


class RequestError(ModelError):
    """A model server that could not answer; never scored as a wrong answer."""


class RunFolderError(SparBenchError):
    """A run folder (or an output folder to write) that is locked, foreign or cannot be read."""


class BundleError(SparBenchError):
    """A submission bundle that cannot be packed, or checked for a reason outside the bundle itself."""


class LeaderboardError(SparBenchError):
    """A leaderboard entry, reported table or build that is not in the leaderboard's format."""
