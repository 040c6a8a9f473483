"""`submit prepare`: a finished run (read by `spar_bench.results.run_reader`) packed into one reproducible bundle,
after checking that it holds no secret, no failed request and no repeated question.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from spar_bench import __version__
from spar_bench.data import NAMED_SOURCES, DatasetError
from spar_bench.predictions import PredictionsError
from spar_bench.redact import find_secrets, redact_args
from spar_bench.results.bundle import BUNDLE_FORMAT, PrepareError, write_bundle
from spar_bench.results.run_reader import NotARunError, RunReadError, RunRecord, read_run_folder
from spar_bench.results.verify import _name_problem, _shown
from spar_bench.vlmevalkit import is_vlmevalkit_file

_SECRET_SCAN_BYTES = 16 * 2**20
_MANIFEST_RUN_KINDS = {"VLMEvalKit": "vlmevalkit"}  # the manifest's spelling of a run's kind


@dataclass(frozen=True)
class Prepared:
    """A written bundle and what of the run it leaves out (one line each, e.g. the 3D grounding samples,
    which are not part of the 20-task benchmark a bundle is verified against)."""

    path: Path
    left_out: tuple[str, ...] = ()


def prepare(
    run_dir: str | Path,
    model_name: str,
    org: str,
    out_path: str | Path,
    data: str | None = None,
    *,
    trained_on_spar7m: bool | None = None,
) -> Path:
    """Pack a run folder into `out_path` (`.tar.gz`); returns the path (see `prepare_bundle`)."""
    return prepare_bundle(run_dir, model_name, org, out_path, data, trained_on_spar7m=trained_on_spar7m).path


def prepare_bundle(
    run_dir: str | Path,
    model_name: str,
    org: str,
    out_path: str | Path,
    data: str | None = None,
    *,
    trained_on_spar7m: bool | None = None,
) -> Prepared:
    """Pack a run folder into `out_path` (`.tar.gz`). `trained_on_spar7m` (None: not stated) goes into the
    manifest and from there into the entry's variant.

    `run_dir` is a `spar-bench run` output folder (predictions.jsonl + results.json), an lmms-eval output
    folder with `*_samples_<task>.jsonl` logs, or a VLMEvalKit prediction file with `data`, the dataset it was
    run on. Raises PrepareError when the folder is none of these, when a request failed (rerun it first: a
    failure is never submitted as an answer), or when a question id repeats. 3D grounding samples are left
    out and listed in `Prepared.left_out`. The bundle is byte-for-byte reproducible for the same run.
    """
    run_dir = Path(run_dir)
    for label, value in (("--model-name", model_name), ("--org", org)):
        if problem := _name_problem(value):
            raise PrepareError(f"{label} {value!r}: {problem}")
    run = _read(run_dir, data)
    if secrets := _folder_secrets(run_dir):
        raise PrepareError(
            f"{run_dir} still holds a secret ({'; '.join(secrets)}); nothing was packed. Delete the file or the key "
            "in it (rotate the key if the folder was shared), and pass keys through $OPENAI_API_KEY or "
            "api_key_file=PATH, which are never written"
        )
    p = run.predictions
    if failed := [f["id"] for f in p.failed]:
        raise PrepareError(
            f"{len(failed)} request(s) failed and have no answer (ids {_shown(failed)}); "
            "run the same command again to retry them before submitting"
        )
    if not len(p):
        raise PrepareError(f"{run_dir}: the samples logs hold no SPAR-Bench task sample")
    predictions = "".join(
        json.dumps(
            {"id": i, "task": t, "answer": a, "prediction": r, **({"question": q} if q else {})}, ensure_ascii=False
        )
        + "\n"
        for i, t, a, r, q in zip(p.ids, p.tasks, p.answers, p.predictions, p.questions)
    ).encode("utf-8")
    source = run.data_source
    manifest = {
        "bundle_format": BUNDLE_FORMAT,
        "model": {
            "name": model_name,
            "organisation": org,
            "adapter": run.model.get("adapter"),
            "model_args": redact_args(run.model.get("model_args")),
            "adapter_identity": run.model.get("adapter_identity"),
        },
        "generation_settings": run.settings.get("generation_settings"),
        "image_limits": run.settings.get("image_limits"),
        "package_version": run.settings.get("package_version"),
        "scorer_version": run.settings.get("scorer_version"),
        "dataset": {
            "source": source,
            "split": source if source in NAMED_SOURCES else None,
            "fingerprint": run.fingerprint,
        },
        "run_date": run.settings.get("date"),
        "run_kind": _MANIFEST_RUN_KINDS.get(run.kind, run.kind),
        "n_predictions": len(p),
        "predictions_sha256": hashlib.sha256(predictions).hexdigest(),
        "claimed_scores": run.claimed_scores,
        "prepared_with": __version__,
        **({"trained_on_spar7m": trained_on_spar7m} if trained_on_spar7m is not None else {}),
    }
    path = write_bundle(out_path, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"), predictions)
    return Prepared(path, _left_out(run))


def _read(run_dir: Path, data: str | None) -> RunRecord:
    """The run to pack: a run folder or a VLMEvalKit file (matched to `data`), never a bundle."""
    if run_dir.is_file() and not is_vlmevalkit_file(run_dir):
        raise PrepareError(
            f"{run_dir}: a file to pack must be a VLMEvalKit prediction file (.xlsx or .tsv); a run is a folder"
        )
    if run_dir.is_file() and not data:
        raise PrepareError(
            f"{run_dir}: a VLMEvalKit file numbers its rows itself; name the dataset it was run on with "
            "--data (a hub id, a parquet file or folder, or tiny / full) so that its rows get the "
            "dataset's ids"
        )
    runner_folder = (run_dir / "predictions.jsonl").is_file()
    try:
        if runner_folder and not (run_dir / "results.json").is_file():
            raise NotARunError(str(run_dir))
        return read_run_folder(run_dir, data)
    except NotARunError:
        raise PrepareError(
            f"{run_dir}: neither a `spar-bench run` folder (predictions.jsonl and results.json) nor an lmms-eval "
            "output folder with samples logs (*_samples_<task>.jsonl; run lmms-eval with --log_samples)"
        ) from None
    except (PredictionsError, RunReadError, DatasetError) as error:
        raise PrepareError(str(error)) from None


def _left_out(run: RunRecord) -> tuple[str, ...]:
    grounding = run.grounding
    if not len(grounding):
        return ()
    from spar_bench.tasks_spec import GROUNDING_TASK

    return (
        f"{len(grounding)} 3D grounding sample(s) ({GROUNDING_TASK}, in {', '.join(grounding.files)}) are left out: "
        "they are not one of SPAR-Bench's 20 tasks that a bundle is verified on; score them with `spar-bench "
        "score` on that file",
    )


def _folder_secrets(run_dir: Path) -> list[str]:
    """'file: what' for each secret found in the folder's metadata files (results, identity, servers, lmms-eval's
    results JSON); samples logs and predictions hold model output only and are not scanned."""
    found = []
    for path in sorted(run_dir.rglob("*.json")):
        if not path.is_file() or path.stat().st_size > _SECRET_SCAN_BYTES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(run_dir)}: {what}" for what in find_secrets(text)]
    return found
