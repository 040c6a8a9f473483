"""`leaderboard add`: a bundle verified, then its re-scored entry written into the entries folder (a model name never
chooses where the file lands).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spar_bench.data import NAMED_SOURCES
from spar_bench.errors import LeaderboardError
from spar_bench.results.bundle import DEFAULT_LIMITS, Limits, Rejection, SubmissionError
from spar_bench.results.verify import Verdict, verify


def add(
    bundle_path: str | Path,
    entries_dir: str | Path,
    data_source: str | None = None,
    *,
    split: str | None = None,
    overwrite: bool = False,
    trained_on_spar7m: bool | None = None,
    limits: Limits = DEFAULT_LIMITS,
    write_entry: Callable[..., Path] | None = None,  # (entry, folder[, overwrite=True]) -> path written
    validate_entry: Callable[[dict], list[str]] | None = None,
) -> tuple[Verdict, Path | None]:
    """Verify a bundle, then write its entry with `spar_bench.results.entry_files.write_entry`.

    Returns (verdict, path of the entry, or None when rejected). The entry is built from the re-scored data
    only. A written path outside `entries_dir` is removed and raises SubmissionError (a model name must not
    choose where a file lands). `split` names the split of an entry on custom data (default `custom-` and the
    first 8 hex digits of its fingerprint); full, tiny and synth keep their own name. `overwrite` replaces an
    existing entry of the same model and split. `trained_on_spar7m` (true or false) sets the entry's
    variant field of that name, over what the bundle's manifest says.
    """
    verdict = verify(bundle_path, data_source, limits=limits)
    if not verdict.ok or verdict.entry is None:
        return verdict, None
    entry: dict = verdict.entry
    if trained_on_spar7m is not None:
        entry = {**entry, "variant": {**entry["variant"], "trained_on_spar7m": trained_on_spar7m}}
    if split is not None and split != entry["dataset"]["split"]:
        if entry["dataset"]["source"] in NAMED_SOURCES:
            raise SubmissionError(
                f"--split {split!r}: the reference is {entry['dataset']['source']!r}, whose "
                "split keeps its name; --split names the split of custom data only"
            )
        entry = {**entry, "dataset": {**entry["dataset"], "split": split}}
    verdict = Verdict(verdict.ok, verdict.reasons, verdict.scores, entry, verdict.manifest)
    if write_entry is None or validate_entry is None:
        from spar_bench.results import entry_check, entry_files

        write_entry = write_entry or entry_files.write_entry
        validate_entry = validate_entry or entry_check.validate_entry
    if problems := validate_entry(entry):
        return Verdict(
            False, tuple(Rejection("entry_schema", p) for p in problems), verdict.scores, entry, verdict.manifest
        ), None
    entries = Path(entries_dir).resolve()
    entries.mkdir(parents=True, exist_ok=True)
    try:
        path = Path(write_entry(entry, entries, overwrite=True) if overwrite else write_entry(entry, entries))
    except (LeaderboardError, FileExistsError) as error:
        raise SubmissionError(f"the entry was not written: {error}") from error
    if not path.resolve().is_relative_to(entries):
        path.unlink(missing_ok=True)
        raise SubmissionError(f"the entry was written to {path}, outside {entries}; removed")
    return verdict, path
