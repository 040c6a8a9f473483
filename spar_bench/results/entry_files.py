"""Entries as files: made from a run's results, written into the entries folder, read back from it.

The one reader of `leaderboard/entries/`: every entry it returns has passed `validate_entry` and sits in the
file its content names (`entry_filename`). Entries are written as indented JSON, key order as made.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.entry import (
    STANDARD_SPLITS,
    Entry,
    EntryError,
    LeaderboardError,
    custom_split,
    entry_filename,
    image_limits,
    new_entry,
    variant_from_run,
)
from spar_bench.results.entry_check import validate_entry


def write_entry(entry: dict, folder: str | Path, *, overwrite: bool = False) -> Path:
    """Validate `entry` and write it as `folder/<model-slug>__<split>.json`; returns the path.

    Raises EntryError with every validation problem; LeaderboardError when the file name would land
    outside `folder` (a symlink planted there included); FileExistsError when the file exists and
    `overwrite` is false. The file is replaced atomically, so a reader never sees half an entry.
    """
    if problems := validate_entry(entry):
        raise EntryError("entry", problems)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    name = entry_filename(entry)
    target = folder / name
    if (
        os.sep in name
        or (os.altsep and os.altsep in name)
        or name.startswith(".")
        or target.resolve().parent != root
        or target.is_symlink()
    ):
        raise LeaderboardError(f"entry file name {name!r} would escape the entries folder {folder}")
    if target.exists() and not overwrite:
        raise FileExistsError(
            f"{target} exists; pass --overwrite (`spar-bench leaderboard add`; overwrite=True from "
            "Python) to replace the entry of this model and split"
        )
    text = json.dumps(entry, indent=2, ensure_ascii=False) + "\n"
    handle, temp = tempfile.mkstemp(dir=root, prefix=".entry-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp, 0o644)  # mkstemp makes it private; an entry is meant to be read and committed
        os.replace(temp, root / name)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return folder / name


def load_entries(folder: str | Path) -> list[Entry]:
    """Every `*.json` entry of `folder`, validated, sorted by file name.

    Raises EntryError naming the file and all of its problems (invalid JSON, a validation problem, or a
    file name that is not `<model-slug>__<split>.json` for its own content). A missing folder gives [].
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EntryError(str(path), [f"not valid JSON ({error})"]) from None
        if problems := validate_entry(entry):
            raise EntryError(str(path), problems)
        if path.name != (expected := entry_filename(entry)):
            reason = (
                f"file name should be {expected} for model {entry['model']['name']!r} "
                f"and split {entry['dataset']['split']!r}"
            )
            raise EntryError(str(path), [reason])
        entries.append(entry)
    return entries


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, as 64 lower-case hex digits (an entry's `predictions_sha256`)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def entry_from_run(
    results: Mapping,
    predictions_path: str | Path,
    model_name: str,
    organisation: str,
    *,
    split: str | None = None,
    trained_on_spar7m: bool | None = None,
) -> dict:
    """A leaderboard entry from a `spar-bench run` results.json (as a dict) and its predictions file.

    The split is the run's data source when that is full, tiny or synth, else `split` or `custom_split` of
    the run's fingerprint (so two custom datasets never share a split); the
    date is the run's date; image limits are the adapter identity's resolution settings that are set; the
    variant block is what the run records (`variant_from_run`) plus `trained_on_spar7m` (None: unknown).
    Raises EntryError when the result would not be a valid entry (for example a run over a subset of the
    tasks, or one with failed requests, which are never scored).
    """
    metadata = results["metadata"]
    identity = dict(metadata.get("adapter") or {})
    source = str(metadata["data_source"])
    entry = new_entry(
        model_name=model_name,
        organisation=organisation,
        adapter=metadata["model"],
        model_args=dict(metadata.get("model_args") or {}),
        adapter_identity=identity,
        generation_settings=dict(metadata.get("generation_settings") or {}),
        image_limits=image_limits(identity),
        package_version=metadata["package_version"],
        scorer_version=metadata["scorer_version"],
        split=source if source in STANDARD_SPLITS else (split or custom_split(metadata["dataset_fingerprint"])),
        source=source,
        fingerprint=metadata["dataset_fingerprint"],
        date=str(metadata["date"])[:10],
        n_questions=metadata["n_questions"],
        predictions_sha256=sha256_file(predictions_path),
        scores={protocol: results["protocols"][protocol] for protocol in PROTOCOL_NAMES},
        variant=variant_from_run(
            identity,
            metadata.get("generation_settings"),
            trained_on_spar7m=trained_on_spar7m,
            dataset_revision=metadata.get("dataset_revision"),
        ),
    )
    if problems := validate_entry(entry):
        raise EntryError(f"run of {metadata['model']}", problems)
    return entry
