"""The one reader of a finished run: a `spar-bench run` folder, an lmms-eval output folder, a verified bundle or a
VLMEvalKit prediction file in, a `RunRecord` out (its predictions, 3D grounding samples kept apart, and what the
run says about its model, settings and data). `compare`, `submit prepare` and `explore` all read runs here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spar_bench.errors import RunFolderError
from spar_bench.predictions import GroundingSamples, Predictions, read_predictions
from spar_bench.vlmevalkit import is_vlmevalkit_file

RUN_KINDS = ("spar-bench run", "lmms-eval", "bundle", "VLMEvalKit")


class NotARunError(RunFolderError):
    """A path that is none of the kinds of run (`RUN_KINDS`); each command says which kinds it takes."""


class RunReadError(RunFolderError):
    """A run whose files are not as the tool that wrote them writes them; the message names the file."""


@dataclass(frozen=True)
class RunRecord:
    """One run as read: where it is, its kind (one of `RUN_KINDS`), its predictions (failed requests in
    `predictions.failed`, 3D grounding samples in `predictions.grounding`), and what the run claims.

    `label` is the model as the run names it (pretrained checkpoint, else the adapter, else the folder name);
    `model` holds `adapter`, `model_args` and `adapter_identity`; `settings` holds `generation_settings`,
    `image_limits`, `package_version`, `scorer_version` and `date`, each None when the run does not say.
    `data_source` and `fingerprint` are the dataset the run claims (an lmms-eval run: the one its task sets
    read, see `lmms_source`); `claimed_scores` its own summary blocks.
    A bundle's predictions are re-scored by verification: `scored` holds them ({protocol: BatchScores}).
    """

    path: str
    kind: str
    predictions: Predictions
    label: str
    data_source: str | None = None
    fingerprint: str | None = None
    model: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    claimed_scores: dict | None = None
    scored: dict | None = None
    manifest: dict | None = None
    task_sets: tuple[str, ...] = ()  # lmms-eval: the task set of each samples log

    @property
    def failed(self) -> list[dict]:
        return self.predictions.failed

    @property
    def grounding(self) -> GroundingSamples:
        return self.predictions.grounding


def read_run_folder(path: str | Path, data_source: str | None = None) -> RunRecord:
    """The run at `path`.

    - a folder with `predictions.jsonl` (and `results.json`, its metadata): a `spar-bench run`;
    - a folder with `*_samples_<task>.jsonl` logs (lmms-eval --log_samples; our tasks' or the built-in
      `sparbench` task's, `spar_bench_synth_3d` grounding samples kept apart) and `*_results.json`: lmms-eval;
    - a VLMEvalKit prediction file (.xlsx, .tsv): its rows matched to `data_source`'s ids when it is named;
    - any other file: a bundle, verified and re-scored against `data_source` (or its own `synth` source).

    Raises NotARunError for a path that is none of these, RunReadError for a run's file that cannot be read,
    PredictionsError for a prediction line that cannot be scored, and the bundle's or dataset's errors.
    """
    path = Path(path)
    if path.is_file() and is_vlmevalkit_file(path):
        return _from_vlmevalkit(path, data_source)
    if path.is_file():
        return _from_bundle(path, data_source)
    if (path / "predictions.jsonl").is_file():
        return _from_runner(path)
    samples = sorted(path.rglob("*_samples_*.jsonl")) if path.is_dir() else []
    if samples:
        return _from_lmms_eval(path, samples)
    raise NotARunError(
        f"{path}: not a `spar-bench run` folder (predictions.jsonl), an lmms-eval output folder with samples logs "
        "(run lmms-eval with --log_samples), a bundle or a VLMEvalKit prediction file"
    )


def _from_runner(folder: Path) -> RunRecord:
    results: dict[str, Any] = {}
    if (folder / "results.json").is_file():
        try:
            results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
            if not isinstance(results.get("metadata", {}), dict):
                raise TypeError("`metadata` is not an object")
        except (ValueError, AttributeError, TypeError) as error:
            raise RunReadError(
                f"{folder}: results.json or predictions.jsonl is not as `spar-bench run` writes it ({error})"
            ) from None
    metadata: dict[str, Any] = results.get("metadata") or {}
    predictions = read_predictions([folder / "predictions.jsonl"])
    args: dict = metadata["model_args"] if isinstance(metadata.get("model_args"), dict) else {}
    return RunRecord(
        path=str(folder),
        kind="spar-bench run",
        predictions=predictions,
        label=str(args.get("pretrained") or args.get("model") or metadata.get("model") or folder.name),
        data_source=metadata.get("data_source"),
        fingerprint=metadata.get("dataset_fingerprint"),
        model={
            "adapter": metadata.get("model"),
            "model_args": metadata.get("model_args"),
            "adapter_identity": metadata.get("adapter"),
        },
        settings={
            "generation_settings": metadata.get("generation_settings"),
            "image_limits": _image_limits(metadata.get("adapter") or metadata.get("model_args")),
            "package_version": metadata.get("package_version"),
            "scorer_version": metadata.get("scorer_version"),
            "date": metadata.get("date"),
        },
        claimed_scores=results.get("protocols"),
    )


def lmms_source(task_sets: Sequence[str], *, builtin_hub_sets: bool = False) -> str | None:
    """The dataset the samples logs' task sets read, when they all name the same one. lmms-eval's built-in
    `sparbench` tasks read the hub sets, which a run may have swapped for a local copy: only with
    `builtin_hub_sets` are they taken to be tiny or full (a guess good enough to show images, not to claim
    a split)."""
    from spar_bench.task_sets import UnknownTaskSetError, resolve_task_set

    sources = set()
    for task_set in task_sets:
        if task_set.startswith("sparbench"):
            if builtin_hub_sets:
                sources.add("tiny" if task_set.startswith("sparbench_tiny") else "full")
            continue
        # An include_path task named otherwise: the fingerprint still says which questions it had.
        with contextlib.suppress(UnknownTaskSetError):
            sources.add(resolve_task_set(task_set)[0])
    return sources.pop() if len(sources) == 1 else None


def _from_lmms_eval(folder: Path, samples: Sequence[Path]) -> RunRecord:
    from spar_bench.data import fingerprint

    predictions = read_predictions(samples)
    p = predictions
    task_sets = tuple(sample.stem.split("_samples_", 1)[1] for sample in samples)
    record: dict[str, Any] = {
        "path": str(folder),
        "kind": "lmms-eval",
        "predictions": predictions,
        "label": folder.name,
        "data_source": lmms_source(task_sets),
        "task_sets": task_sets,
        "fingerprint": fingerprint(zip(p.ids, p.tasks, p.questions, p.answers)) if len(p) else None,
    }
    results_files = sorted(folder.rglob("*_results.json"))
    if not results_files:
        return RunRecord(**record)
    try:
        results = json.loads(results_files[-1].read_text(encoding="utf-8"))
    except ValueError:
        results = {}
    results = results if isinstance(results, dict) else {}
    config = results.get("config") or {}
    model_args = config.get("model_args")
    if isinstance(model_args, str):
        from spar_bench.model_adapters.arguments import parse_model_args

        with contextlib.suppress(ValueError):
            model_args = parse_model_args(model_args)
    named = model_args if isinstance(model_args, dict) else {}
    gen_kwargs = [c.get("generation_kwargs") for c in (results.get("configs") or {}).values() if isinstance(c, dict)]
    record.update(
        label=str(named.get("pretrained") or named.get("model") or config.get("model") or folder.name),
        model={"adapter": config.get("model"), "model_args": model_args, "adapter_identity": None},
        settings={
            "generation_settings": gen_kwargs[0] if gen_kwargs else None,
            "image_limits": _image_limits(model_args),
            "package_version": None,
            "scorer_version": None,
            "date": results.get("date"),
        },
        claimed_scores=_lmms_claimed(results),
    )
    return RunRecord(**record)


def _from_vlmevalkit(path: Path, data_source: str | None) -> RunRecord:
    """A VLMEvalKit prediction file; its rows get the dataset's ids when the dataset is named (--data)."""
    from spar_bench.reference import check_against_dataset

    predictions = read_predictions([path])
    fingerprint = None
    if data_source:
        predictions, checked = check_against_dataset(predictions, data_source)
        fingerprint = checked.answered_fingerprint
    return RunRecord(
        path=str(path),
        kind="VLMEvalKit",
        predictions=predictions,
        label=path.stem.removesuffix("_SparBench"),
        data_source=data_source,
        fingerprint=fingerprint,
    )


def _from_bundle(path: Path, data_source: str | None) -> RunRecord:
    from spar_bench.results.verify import check_bundle

    checked = check_bundle(path, data_source)
    if not checked.verdict.ok:
        reasons = "; ".join(str(r) for r in checked.verdict.reasons[:5])
        raise RunReadError(
            f"{path}: the bundle is rejected, it does not verify ({reasons}); run `spar-bench submit verify` on it"
        )
    manifest = checked.verdict.manifest or {}
    model = manifest.get("model") or {}
    entry = checked.verdict.entry or {}
    return RunRecord(
        path=str(path),
        kind="bundle",
        predictions=checked.predictions,
        label=str(model.get("name") or path.name),
        data_source=data_source or (manifest.get("dataset") or {}).get("source"),
        fingerprint=entry["dataset"]["fingerprint"],
        model={k: model.get(k) for k in ("adapter", "model_args", "adapter_identity")},
        settings={
            "generation_settings": manifest.get("generation_settings"),
            "image_limits": manifest.get("image_limits"),
            "package_version": manifest.get("package_version"),
            "scorer_version": manifest.get("scorer_version"),
            "date": manifest.get("run_date"),
        },
        claimed_scores=manifest.get("claimed_scores"),
        scored=checked.scored,
        manifest=manifest,
    )


def _lmms_claimed(results: dict) -> dict | None:
    from spar_bench.results.lmms_results import summaries_from_lmms_results

    try:
        return {name: s.as_dict() for name, s in summaries_from_lmms_results(results).items()} or None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _image_limits(settings: object) -> dict | None:
    """The image-resolution settings of an adapter identity or model arguments, None when there are none."""
    from spar_bench.results.entry import image_limits

    return image_limits(settings if isinstance(settings, dict) else None) or None
