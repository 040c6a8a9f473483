"""`spar-bench explore`: runs in, one static page out, where every answer can be read beside its question.

A run is a `spar-bench run` folder, an lmms-eval output folder with samples logs, or a verified bundle; each is
read with the reader its other commands use, then re-scored under both protocols (so every run shows the same
protocol versions and the strict span, whatever wrote it). Questions and images come from one dataset, checked
against every run's questions; the page is `pages/explore.html` with the data injected as escaped JSON.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from spar_bench.errors import RunFolderError
from spar_bench.scoring import Predictions, PredictionsError, json_safe, read_predictions, score_predictions
from spar_bench.tasks_spec import TASK_IDS, TASKS_BY_ID
from spar_bench.vlmevalkit import is_vlmevalkit_file

PROTOCOLS = ("strict", "official")
THUMBNAIL_PX = 192  # the longer side of a thumbnail
IMAGES_DIR = "images"


class ExploreError(RunFolderError):
    """A run or dataset the explorer cannot read; the message names the path and what to do."""


@dataclass
class ExploredRun:
    """One run as the explorer shows it: a label, where it came from, and its answered predictions."""

    label: str
    path: str
    kind: str  # "spar-bench run", "lmms-eval", "bundle"
    data_source: str | None  # the dataset it claims to have run on, when it says
    predictions: Predictions
    failed: list[dict] = field(default_factory=list)


# ---------------------------------------------------------------- reading runs


def read_run(path: str | Path, data_source: str | None = None) -> ExploredRun:
    """The run at `path`: a `spar-bench run` folder (predictions.jsonl + results.json), an lmms-eval output folder
    with `*_samples_*.jsonl` logs (our tasks' or the built-in `sparbench` task's), a VLMEvalKit prediction file
    (.xlsx, .tsv; matched to `data_source`'s ids), or a bundle (`.tar.gz`, checked with `submit.check_bundle`
    against `data_source`, or its own `synth` source). Raises ExploreError."""
    path = Path(path)
    if path.is_file() and is_vlmevalkit_file(path):
        return _from_vlmevalkit(path, data_source)
    if path.is_file():
        return _from_bundle(path, data_source)
    if (path / "predictions.jsonl").is_file():
        return _from_runner(path)
    samples = sorted(p for p in path.rglob("*_samples_*.jsonl") if "_3d" not in p.stem) if path.is_dir() else []
    if samples:
        return _from_lmms_eval(path, samples)
    raise ExploreError(
        f"{path}: not a `spar-bench run` folder (predictions.jsonl), an lmms-eval output folder with samples logs "
        "(run lmms-eval with --log_samples) or a bundle file (spar-bench submit prepare)"
    )


def _predictions_of(paths: Sequence[Path]) -> Predictions:
    try:
        return read_predictions(paths)
    except (PredictionsError, OSError) as error:
        raise ExploreError(str(error)) from None


def _from_runner(folder: Path) -> ExploredRun:
    metadata = {}
    if (folder / "results.json").is_file():
        try:
            metadata = json.loads((folder / "results.json").read_text(encoding="utf-8")).get("metadata") or {}
        except (ValueError, AttributeError):
            metadata = {}
    predictions = _predictions_of([folder / "predictions.jsonl"])
    args = metadata.get("model_args") if isinstance(metadata.get("model_args"), dict) else {}
    name = args.get("pretrained") or args.get("model") or metadata.get("model") or folder.name
    return ExploredRun(
        str(name), str(folder), "spar-bench run", metadata.get("data_source"), predictions, predictions.failed
    )


def _from_lmms_eval(folder: Path, samples: Sequence[Path]) -> ExploredRun:
    from spar_bench.task_sets import UnknownTaskSetError, resolve_task_set

    sources = set()
    for sample in samples:
        task_set = sample.stem.split("_samples_", 1)[1]
        if task_set.startswith("sparbench"):  # lmms-eval's built-in tasks read the hub sets
            sources.add("tiny" if task_set.startswith("sparbench_tiny") else "full")
            continue
        with contextlib.suppress(UnknownTaskSetError):
            sources.add(resolve_task_set(task_set)[0])
    predictions = _predictions_of(samples)
    name = folder.name
    for results in sorted(folder.rglob("*_results.json")):
        try:
            config = json.loads(results.read_text(encoding="utf-8")).get("config") or {}
        except (ValueError, AttributeError):
            continue
        args = str(config.get("model_args") or "")
        pretrained = [item.split("=", 1)[1] for item in args.split(",") if item.startswith(("pretrained=", "model="))]
        name = pretrained[0] if pretrained else config.get("model") or name
    return ExploredRun(
        str(name),
        str(folder),
        "lmms-eval",
        sources.pop() if len(sources) == 1 else None,
        predictions,
        predictions.failed,
    )


def _from_vlmevalkit(path: Path, data_source: str | None) -> ExploredRun:
    """A VLMEvalKit prediction file; its rows get the dataset's ids when the dataset is named (--data)."""
    from spar_bench.data import DatasetError
    from spar_bench.scoring import check_against_dataset

    predictions = _predictions_of([path])
    if data_source:
        try:
            predictions, _ = check_against_dataset(predictions, data_source)
        except (PredictionsError, DatasetError) as error:
            raise ExploreError(f"{path}: {error}") from None
    return ExploredRun(path.stem.removesuffix("_SparBench"), str(path), "VLMEvalKit", data_source, predictions)


def _from_bundle(path: Path, data_source: str | None) -> ExploredRun:
    from spar_bench.data import DatasetError
    from spar_bench.submit import SubmissionError, check_bundle

    try:
        checked = check_bundle(path, data_source)
    except (SubmissionError, DatasetError) as error:
        raise ExploreError(f"{path}: {error}") from None
    if not checked.verdict.ok:
        reasons = "; ".join(str(r) for r in checked.verdict.reasons[:5])
        raise ExploreError(f"{path}: the bundle does not verify ({reasons}); run `spar-bench submit verify` on it")
    manifest = checked.verdict.manifest or {}
    source = data_source or (manifest.get("dataset") or {}).get("source")
    return ExploredRun(
        str((manifest.get("model") or {}).get("name") or path.name), str(path), "bundle", source, checked.predictions
    )


def unique_labels(runs: Sequence[ExploredRun]) -> list[str]:
    """Each run's label, with its folder or file name added where two runs would otherwise share one."""
    labels = [run.label for run in runs]
    return [
        f"{label} ({Path(run.path).name})" if labels.count(label) > 1 else label for label, run in zip(labels, runs)
    ]


# ---------------------------------------------------------------- the dataset behind the runs


@dataclass
class QuestionTable:
    """The questions of all runs, in dataset order, with their stored images (encoded bytes; empty without data)."""

    ids: list
    tasks: list[str]
    questions: list[str]
    answers: list[str]
    images: list[tuple[bytes, ...]]


def question_table(runs: Sequence[ExploredRun], data_source: str | None) -> QuestionTable:
    """Every question any run answered (or failed), from `data_source` or the runs' common source.

    Raises ExploreError when the runs name different datasets and no `data_source` is given, when a run's
    question id is not in the dataset, or when its task, answer or question text differs from the dataset's
    (a run of another dataset or revision: its scores would be read against the wrong answers). With no source
    known at all, the runs' own questions are used, without images.
    """
    wanted = {}
    for run in runs:
        for i, task in zip(run.predictions.ids, run.predictions.tasks):
            wanted.setdefault(i, task)
        for failure in run.failed:
            wanted.setdefault(failure["id"], failure["task"])
    source = data_source
    if source is None:
        sources = {run.data_source for run in runs if run.data_source}
        if len(sources) > 1:
            raise ExploreError(
                f"the runs name different datasets ({', '.join(sorted(sources))}); explore runs of one "
                "dataset, or name it with --data"
            )
        source = sources.pop() if sources else None
    if source is None:
        print(
            "spar-bench explore: no dataset is known for these runs (pass --data): showing them without images",
            file=sys.stderr,
        )
        return _table_from_runs(runs, wanted)
    from spar_bench.data import DatasetError, load_dataset, undecoded_rows

    try:
        dataset = load_dataset(source)
    except DatasetError as error:
        raise ExploreError(f"dataset {source}: {error}") from None
    rows = {}
    for row in undecoded_rows(dataset, ["id", "task", "question", "answer", "image"]):
        if row["id"] in wanted:
            rows[row["id"]] = row
    for run in runs:
        p = run.predictions
        for i, task, answer, question in zip(p.ids, p.tasks, p.answers, p.questions):
            row = rows.get(i)
            what = (
                "is not a question of"
                if row is None
                else "names another task than"
                if row["task"] != task
                else "has another answer than"
                if str(row["answer"]) != str(answer)
                else "has another question text than"
                if question and question != row["question"]
                else None
            )
            if what:
                raise ExploreError(
                    f"{run.path}: question id {i!r} {what} the dataset {source}; explore it with the "
                    "dataset it was run on (--data)"
                )
    from spar_bench.data import _stored_images

    ordered = list(rows.values())
    return QuestionTable(
        [r["id"] for r in ordered],
        [r["task"] for r in ordered],
        [r["question"] for r in ordered],
        [str(r["answer"]) for r in ordered],
        [_stored_images(r["image"]) for r in ordered],
    )


def _table_from_runs(runs: Sequence[ExploredRun], wanted: dict) -> QuestionTable:
    seen: dict = {}
    for run in runs:
        p = run.predictions
        for i, task, question, answer in zip(p.ids, p.tasks, p.questions, p.answers):
            if i not in seen or (question and not seen[i][1]):
                seen[i] = (task, question, answer)
    for i, task in wanted.items():
        seen.setdefault(i, (task, "", ""))
    ids = list(seen)
    return QuestionTable(
        ids, [seen[i][0] for i in ids], [seen[i][1] for i in ids], [seen[i][2] for i in ids], [() for _ in ids]
    )


# ---------------------------------------------------------------- images


def write_images(images: Sequence[tuple[bytes, ...]], out: Path) -> list[list[list[str]]]:
    """Write each image once (named by its content hash) with a thumbnail; per question, [full, thumbnail]
    paths relative to `out` for each of its images. An image already small is its own thumbnail; one a browser
    cannot show (not PNG, JPEG, GIF or WebP) is written as PNG; one that cannot be decoded is left out."""
    from PIL import Image, UnidentifiedImageError

    folder = out / IMAGES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    done: dict[str, list[str] | None] = {}
    paths = []
    for cell in images:
        shown = []
        for data in cell:
            key = hashlib.sha1(data).hexdigest()[:20]
            if key not in done:
                try:
                    done[key] = _write_image(data, key, folder, Image)
                except (UnidentifiedImageError, OSError, ValueError):
                    done[key] = None
            if done[key] is not None:
                shown.append(done[key])
        paths.append(shown)
    return paths


_SHOWN_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


def _write_image(data: bytes, key: str, folder: Path, Image) -> list[str]:
    image = Image.open(io.BytesIO(data))
    extension = _SHOWN_FORMATS.get(image.format or "")
    full = f"{key}.{extension or 'png'}"
    if extension:
        (folder / full).write_bytes(data)
    else:
        image.save(folder / full, "PNG")
    if max(image.size) <= THUMBNAIL_PX * 1.25:
        return [f"{IMAGES_DIR}/{full}", f"{IMAGES_DIR}/{full}"]
    if image.format == "JPEG":
        image.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))  # decode at a reduced scale: much faster
    image = image.convert("RGB")
    image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
    thumbnail = f"{key}.thumb.jpg"
    image.save(folder / thumbnail, "JPEG", quality=80)
    return [f"{IMAGES_DIR}/{full}", f"{IMAGES_DIR}/{thumbnail}"]


# ---------------------------------------------------------------- the page data


def _utf16_span(text: str, span: Sequence[int] | None) -> list[int] | None:
    """A span of code-point offsets as UTF-16 offsets (JavaScript's string indices)."""
    if span is None:
        return None
    start, end = int(span[0]), int(span[1])
    if text.isascii():
        return [start, end]
    units = lambda s: len(s.encode("utf-16-le")) // 2
    return [units(text[:start]), units(text[:end])]


def _shown_value(value: object) -> str | None:
    """A parsed value as the page shows it: text, a number as Python prints it, anything else as JSON."""
    value = json_safe(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def page_data(runs: Sequence[ExploredRun], table: QuestionTable, image_paths: Sequence[list]) -> dict:
    """The JSON the page reads: runs, tasks, questions (column-wise) and, per run, one column per field aligned
    with the questions (null where the run has no answer), plus the per-task summary under both protocols."""
    index = {i: n for n, i in enumerate(table.ids)}
    labels = unique_labels(runs)
    task_index = {task: n for n, task in enumerate(TASK_IDS)}
    n = len(table.ids)
    answers, summary = [], {}
    for label, run in zip(labels, runs):
        p = run.predictions
        scored = score_predictions(p, PROTOCOLS) if len(p) else {}
        column = {
            name: [None] * n
            for name in ("text", "strict", "official", "parsed", "official_parsed", "span", "rule", "reason", "error")
        }
        for k, i in enumerate(p.ids):
            at = index[i]
            text = p.predictions[k]
            column["text"][at] = text
            if scored:
                strict, official = scored["strict"], scored["official"]
                column["strict"][at] = json_safe(float(strict.scores[k]))
                column["official"][at] = json_safe(float(official.scores[k]))
                column["parsed"][at] = _shown_value(strict.parsed[k])
                column["official_parsed"][at] = _shown_value(official.parsed[k])
                column["span"][at] = _utf16_span(text, strict.spans[k] if strict.spans is not None else None)
                column["rule"][at] = strict.rules[k] if strict.rules is not None else None
                column["reason"][at] = strict.unparsed_reasons[k]
        for failure in run.failed:
            if failure["id"] in index:
                column["error"][index[failure["id"]]] = str(failure["error"])
        answers.append(column)
        for name in PROTOCOLS:
            if not scored:
                continue
            scores, tasks = scored[name].scores, np.asarray(p.tasks)
            means = {task: float(scores[tasks == task].mean()) * 100 for task in set(p.tasks)}
            for task, mean in means.items():
                summary.setdefault(task, {}).setdefault(label, {})[name] = round(mean, 2)
                summary[task][label]["n"] = int((tasks == task).sum())
            summary.setdefault("overall", {}).setdefault(label, {})[name] = round(
                float(np.mean(list(means.values()))), 2
            )
    return {
        "runs": [
            {
                "label": label,
                "path": run.path,
                "kind": run.kind,
                "n": len(run.predictions),
                "failed": len(run.failed),
                "source": run.data_source,
            }
            for label, run in zip(labels, runs)
        ],
        "tasks": [
            {
                "id": t,
                "column": TASKS_BY_ID[t].paper_column,
                "level": TASKS_BY_ID[t].level.value,
                "view": TASKS_BY_ID[t].view.value,
            }
            for t in TASK_IDS
        ],
        "questions": {
            "id": [str(i) for i in table.ids],
            "task": [task_index[t] for t in table.tasks],
            "question": table.questions,
            "answer": table.answers,
            "images": list(image_paths),
        },
        "answers": answers,
        "summary": summary,
    }


def render_page(data: dict) -> str:
    """index.html: the page template with `data` in its JSON block, escaped so that no text can end the block."""
    from spar_bench.leaderboard import render_page as render_package_page

    return render_package_page("explore.html", data)


def explore(run_paths: Sequence[str | Path], out: str | Path, data_source: str | None = None) -> Path:
    """Read the runs, check them against the dataset, write `out/index.html` and `out/images/`; returns the
    page's path. Raises ExploreError for a run or dataset that cannot be read."""
    if not run_paths:
        raise ExploreError("name at least one run")
    runs = [read_run(path, data_source) for path in run_paths]
    table = question_table(runs, data_source)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    image_paths = write_images(table.images, out)
    page = out / "index.html"
    page.write_text(render_page(page_data(runs, table, image_paths)), encoding="utf-8")
    return page


def explore_command(args) -> int:
    try:
        page = explore(args.runs, args.out, args.data)
    except ExploreError as error:
        print(f"spar-bench explore: {error}", file=sys.stderr)
        return 2
    print(f"wrote {page} (open it in a browser; no server needed)")
    return 0


def add_arguments(parser) -> None:
    parser.description = (
        "Write a static page (OUT/index.html, opens from disk) with every question of the runs: its images, the "
        "reference answer, each model's response with the span the strict protocol read, the parsed value and "
        "both protocols' scores, with filters and a per-task summary. Runs are re-scored here."
    )
    parser.add_argument(
        "runs",
        nargs="+",
        metavar="RUN",
        help="a `spar-bench run` folder, an lmms-eval output folder with samples logs, or a bundle",
    )
    parser.add_argument("--out", required=True, help="folder for index.html and images/")
    parser.add_argument(
        "--data",
        help="the dataset the runs answered (hub id, parquet file or folder, or "
        "synth/tiny/full); default: the one the runs name",
    )
    parser.set_defaults(run=explore_command)


__all__ = [
    "ExploreError",
    "ExploredRun",
    "explore",
    "page_data",
    "question_table",
    "read_run",
    "render_page",
    "write_images",
]
