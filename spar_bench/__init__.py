"""spar-bench: SPAR-Bench evaluation for vision-language models.

Flow: data (rows, validation, fingerprint) -> prompts -> model -> protocols (scoring) -> aggregate -> results.
The layers and where each rule lives: docs/architecture.md.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from pathlib import Path

__version__ = "0.2.0"

# The design card's top-level folders, installed as sub-packages of spar_bench (pyproject.toml's package-dir).
SOURCE_FOLDERS = ("metrics", "model_adapters", "tasks")


class _SourceFolders(importlib.abc.MetaPathFinder):
    """Imports `spar_bench.metrics` (and the other SOURCE_FOLDERS) from a source checkout's top-level folder, so
    that a plain checkout imports as the installed tree does."""

    def __init__(self, folders: dict[str, Path]):
        self.folders = folders

    def find_spec(self, fullname, path=None, target=None):
        folder = self.folders.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(
            fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


def _map_source_folders() -> None:
    here = Path(__file__).resolve().parent
    if any((here / name).is_dir() for name in SOURCE_FOLDERS):
        return  # an installed tree: the folders are inside the package
    root = here.parent
    folders = {f"{__name__}.{name}": root / name for name in SOURCE_FOLDERS if (root / name / "__init__.py").is_file()}
    if folders and not any(isinstance(finder, _SourceFolders) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SourceFolders(folders))


_map_source_folders()
