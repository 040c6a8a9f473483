"""The run explorer: runs in, one static page out, where every answer can be read beside its question.

A run is a `spar-bench run` folder, an lmms-eval output folder with samples logs, or a verified bundle; each is
read with the reader the other commands use (`spar_bench.results.run_reader`), then re-scored under both
protocols (so every run shows the same protocol versions and the strict span, whatever wrote it). Questions and images come from one dataset, checked
against every run's questions; the page is `pages/explore.html` with the data injected as escaped JSON.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spar_bench.errors import BundleError, DataError, RunFolderError
from spar_bench.predictions import PredictionsError
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.run_reader import NotARunError, RunReadError, RunRecord, lmms_source, read_run_folder
from spar_bench.scoring import json_safe, score_predictions
from spar_bench.tasks_spec import GROUNDING_TASK, TASK_IDS, TASKS_BY_ID

THUMBNAIL_PX = 192  # the longer side of a thumbnail
IMAGES_DIR = "images"


class ExploreError(RunFolderError):
    """A run or dataset the explorer cannot read; the message names the path and what to do."""


# ---------------------------------------------------------------- reading runs


def read_run(path: str | Path, data_source: str | None = None) -> RunRecord:
    """The run at `path`, read by `run_reader.read_run_folder`: a `spar-bench run` folder, an lmms-eval output
    folder with `*_samples_*.jsonl` logs, a VLMEvalKit prediction file (matched to `data_source`'s ids) or a
    bundle (checked against `data_source`, or its own `synth` source). Its 3D grounding samples stay in
    `run.grounding` (the page shows the 20 tasks; `grounding_notes` says what it leaves out). Raises
    ExploreError."""
    try:
        return read_run_folder(path, data_source)
    except NotARunError:
        raise ExploreError(
            f"{path}: not a `spar-bench run` folder (predictions.jsonl), an lmms-eval output folder with samples "
            "logs (run lmms-eval with --log_samples) or a bundle file (spar-bench submit prepare)"
        ) from None
    except (RunReadError, PredictionsError, OSError) as error:
        raise ExploreError(str(error)) from None
    except (BundleError, DataError) as error:
        raise ExploreError(f"{path}: {error}") from None


def grounding_notes(runs: Sequence[RunRecord]) -> list[str]:
    """One line per run with 3D grounding samples, which the page leaves out."""
    return [
        f"{run.path}: {len(run.grounding)} 3D grounding sample(s) ({GROUNDING_TASK}) left out: the page shows "
        "SPAR-Bench's 20 tasks; score them with `spar-bench score` on " + ", ".join(run.grounding.files)
        for run in runs
        if len(run.grounding)
    ]


def unique_labels(runs: Sequence[RunRecord]) -> list[str]:
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
    note: str | None = None  # why the table has no images, when it has none


def question_table(runs: Sequence[RunRecord], data_source: str | None) -> QuestionTable:
    """Every question any run answered (or failed), from `data_source` or the runs' common source.

    Raises ExploreError when the runs name different datasets and no `data_source` is given, when a run's
    question id is not in the dataset, or when its task, answer or question text differs from the dataset's
    (a run of another dataset or revision: its scores would be read against the wrong answers). With no source
    known at all, the runs' own questions are used, without images (`QuestionTable.note` says so).
    """
    wanted: dict[object, str] = {}
    for run in runs:
        for i, task in zip(run.predictions.ids, run.predictions.tasks):
            wanted.setdefault(i, task)
        for failure in run.failed:
            wanted.setdefault(failure["id"], failure["task"])
    source = data_source
    if source is None:
        sources = {source for run in runs if (source := _source_of(run))}
        if len(sources) > 1:
            raise ExploreError(
                f"the runs name different datasets ({', '.join(sorted(sources))}); explore runs of one "
                "dataset, or name it with --data"
            )
        source = sources.pop() if sources else None
    if source is None:
        table = _table_from_runs(runs, wanted)
        table.note = "no dataset is known for these runs (pass --data): showing them without images"
        return table
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
            found = rows.get(i)
            what = (
                "is not a question of"
                if found is None
                else "names another task than"
                if found["task"] != task
                else "has another answer than"
                if str(found["answer"]) != str(answer)
                else "has another question text than"
                if question and question != found["question"]
                else None
            )
            if what:
                raise ExploreError(
                    f"{run.path}: question id {i!r} {what} the dataset {source}; explore it with the "
                    "dataset it was run on (--data)"
                )
    from spar_bench.images import stored_images

    ordered = list(rows.values())
    return QuestionTable(
        [r["id"] for r in ordered],
        [r["task"] for r in ordered],
        [r["question"] for r in ordered],
        [str(r["answer"]) for r in ordered],
        [stored_images(r["image"]) for r in ordered],
    )


def _source_of(run: RunRecord) -> str | None:
    """The dataset a run names; for lmms-eval's built-in `sparbench` logs, the hub set their name says."""
    if run.kind == "lmms-eval" and not run.data_source:
        return lmms_source(run.task_sets, builtin_hub_sets=True)
    return run.data_source


def _table_from_runs(runs: Sequence[RunRecord], wanted: dict) -> QuestionTable:
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
        shown: list[list[str]] = []
        for data in cell:
            key = hashlib.sha1(data).hexdigest()[:20]
            if key not in done:
                try:
                    done[key] = _write_image(data, key, folder, Image)
                except (UnidentifiedImageError, OSError, ValueError):
                    done[key] = None
            if (written := done[key]) is not None:
                shown.append(written)
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
    return json.dumps(value, ensure_ascii=False)


def page_data(runs: Sequence[RunRecord], table: QuestionTable, image_paths: Sequence[list]) -> dict:
    """The JSON the page reads: runs, tasks, questions (column-wise) and, per run, one column per field aligned
    with the questions (null where the run has no answer), plus the per-task summary under both protocols."""
    index = {i: n for n, i in enumerate(table.ids)}
    labels = unique_labels(runs)
    task_index = {task: n for n, task in enumerate(TASK_IDS)}
    n = len(table.ids)
    answers: list[dict[str, list]] = []
    summary: dict[str, dict[str, dict]] = {}
    for label, run in zip(labels, runs):
        p = run.predictions
        # A bundle was rescored when it was verified (run_reader): those scores are reused.
        scored = run.scored or (score_predictions(p, PROTOCOL_NAMES) if len(p) else {})
        column: dict[str, list] = {
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
        for name in PROTOCOL_NAMES:
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
                "source": _source_of(run),
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
    from spar_bench.results.page import render_page as render_package_page

    return render_package_page("explore.html", data)


def explore(
    run_paths: Sequence[str | Path], out: str | Path, data_source: str | None = None, notes: list[str] | None = None
) -> Path:
    """Read the runs, check them against the dataset, write `out/index.html` and `out/images/`; returns the
    page's path. What the page leaves out or lacks is appended to `notes`, one line each, when given. Raises
    ExploreError for a run or dataset that cannot be read."""
    if not run_paths:
        raise ExploreError("name at least one run")
    runs = [read_run(path, data_source) for path in run_paths]
    table = question_table(runs, data_source)
    if notes is not None:
        notes += grounding_notes(runs) + ([table.note] if table.note else [])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    image_paths = write_images(table.images, out)
    page = out / "index.html"
    page.write_text(render_page(page_data(runs, table, image_paths)), encoding="utf-8")
    return page


__all__ = [
    "ExploreError",
    "explore",
    "grounding_notes",
    "page_data",
    "question_table",
    "read_run",
    "render_page",
    "write_images",
]
