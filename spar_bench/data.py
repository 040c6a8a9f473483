"""Dataset rows in, validated `Question` records and a fingerprint out.

Sources: a hub dataset id (`jasonzhango/SPAR-Bench`, ...), a local parquet file or folder with the hub
schema, or `synth` (the synthetic set shipped in the package, made by `spar_bench.synth`). Every row is checked on load; a bad row
stops the load with an error that names the row id, the field and the problem.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spar_bench.errors import DataError
from spar_bench.metrics.view_change import MOTION_KEYS
from spar_bench.tasks_spec import MAX_IMAGES, TASKS_BY_ID, AnswerKind

if TYPE_CHECKING:  # datasets is imported lazily: scoring never needs it
    import datasets

HUB_DATASETS: dict[str, str] = {
    "full": "jasonzhango/SPAR-Bench",
    "tiny": "jasonzhango/SPAR-Bench-Tiny",
    "full-rgbd": "jasonzhango/SPAR-Bench-RGBD",
    "tiny-rgbd": "jasonzhango/SPAR-Bench-Tiny-RGBD",
}
EMBEDDED = "synth"
REQUIRED_COLUMNS = ("id", "task", "question", "answer", "image")
OPTION_LETTERS = frozenset("ABCDEFGH")
# The largest image (width * height) a dataset may hold: SPAR-Bench's are under 2 MP; 40 MP keeps a decoded RGB
# image near 120 MB. Raise it with `validate --max-image-pixels N` or $SPAR_BENCH_MAX_IMAGE_PIXELS.
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


def max_image_pixels() -> int:
    """The pixel cap in force: $SPAR_BENCH_MAX_IMAGE_PIXELS when set to a positive whole number, else the default."""
    value = os.environ.get("SPAR_BENCH_MAX_IMAGE_PIXELS", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_IMAGE_PIXELS


class DatasetError(DataError):
    """The dataset could not be loaded or is not in the SPAR-Bench schema."""


class DatasetUnavailableError(DatasetError):
    """A hub dataset could not be reached and is not cached."""


@dataclass(frozen=True)
class RowProblem:
    row_id: object
    field: str
    problem: str

    def __str__(self) -> str:
        return f"row id {self.row_id}: field {self.field!r}: {self.problem}"


class DatasetRowError(DatasetError):
    """One or more rows break the schema; `problems` lists each (row id, field, problem)."""

    def __init__(self, source: str, problems: Sequence[RowProblem], total: int | None = None):
        self.source = source
        self.problems = list(problems)
        total = len(self.problems) if total is None else total
        shown = "\n".join(f"  {p}" for p in self.problems)
        more = f"\n  ... and {total - len(self.problems)} more" if total > len(self.problems) else ""
        super().__init__(f"{source}: {total} invalid row(s); fix or drop them and load again:\n{shown}{more}")


@dataclass(frozen=True)
class Question:
    """One benchmark question: its images are the stored encoded bytes, in dataset order."""

    id: int
    task: str
    question: str
    answer: str
    images: tuple[bytes, ...]
    source: str = ""
    img_type: str = ""
    format_type: str = ""


# ---------------------------------------------------------------- validation


def answer_problem(task: str, answer: object) -> str | None:
    """Why `answer` cannot be a reference answer of `task`, or None when it fits."""
    if not isinstance(answer, str) or not answer.strip():
        return "answer is empty"
    kind = TASKS_BY_ID[task].answer_kind
    if kind is AnswerKind.NUMBER:
        try:
            value = float(answer)
        except ValueError:
            return f"{answer!r} is not a number in meters, as task {task!r} needs"
        return None if math.isfinite(value) else f"{answer!r} is not a finite number"
    if kind is AnswerKind.CHOICE:
        if answer not in OPTION_LETTERS:
            return f"{answer!r} is not an option letter (A-H), as task {task!r} needs"
        return None
    items = answer.split(",")
    for item in items:
        key, sep, value = item.partition(":")
        if not sep or key not in MOTION_KEYS:
            return f"{answer!r}: item {item!r} is not `key:value` with a known motion key"
        try:
            float(value)
        except ValueError:
            return f"{answer!r}: item {item!r} has no numeric value"
    return None


def image_problem(images: object, *, decode: bool = False, pixel_cap: int | None = None) -> str | None:
    """Why a row's `image` cell is not 1 to MAX_IMAGES readable images, or None when it is.

    Every image's header is read and its size checked against `pixel_cap` (default `max_image_pixels()`), so
    a decompression bomb is named, not decoded; with `decode`, every image is also decoded in full, which
    finds truncated or corrupt data that a header read cannot.
    """
    from PIL import Image, UnidentifiedImageError

    if not isinstance(images, (list, tuple)) or not images:
        return "no images"
    if len(images) > MAX_IMAGES:
        return f"{len(images)} images; a row has 1 to {MAX_IMAGES}"
    cap = pixel_cap or max_image_pixels()
    for index, image in enumerate(images):
        data = _image_bytes(image)
        if data is None:
            return f"image {index} has no bytes and no readable path"
        try:
            with Image.open(io.BytesIO(data)) as decoded:
                width, height = decoded.size
                if width * height > cap:
                    return _too_large(index, width, height, cap)
                if decode:
                    previous, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, max(cap, Image.MAX_IMAGE_PIXELS or 0)
                    try:
                        decoded.load()
                    finally:
                        Image.MAX_IMAGE_PIXELS = previous
        except Image.DecompressionBombError as error:  # past Pillow's own limit: only the header was read
            size = re.search(r"\((\d+) pixels\)", str(error))
            return f"image {index} is {size.group(1) if size else 'too many'} pixels; the cap is {cap}" + _RAISE_CAP
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            return f"image {index} cannot be decoded ({error})"
    return None


_RAISE_CAP = " (raise it with `spar-bench validate --max-image-pixels N` or SPAR_BENCH_MAX_IMAGE_PIXELS)"


def _too_large(index: int, width: int, height: int, cap: int) -> str:
    return f"image {index} is {width}x{height} ({width * height} pixels); the cap is {cap}" + _RAISE_CAP


def _image_bytes(image: object) -> bytes | None:
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    if isinstance(image, dict):
        if image.get("bytes"):
            return image["bytes"]
        path = image.get("path")
        if path and Path(path).is_file():
            return Path(path).read_bytes()
    return None


def row_problems(row: dict[str, Any], *, decode_images: bool = False) -> list[RowProblem]:
    """Every schema problem of one row; images (undecoded `{"bytes", "path"}` dicts or bytes) are checked
    only when the row has an `image` key, so text fields can be checked alone and cheaply (see `image_problem`
    for `decode_images`)."""
    row_id = row.get("id")
    problems: list[RowProblem] = []
    if not isinstance(row_id, int):
        problems.append(RowProblem(row_id, "id", "missing or not an integer"))
    task = row.get("task")
    if task not in TASKS_BY_ID:
        problems.append(RowProblem(row_id, "task", f"{task!r} is not a SPAR-Bench task"))
    elif (problem := answer_problem(task, row.get("answer"))) is not None:
        problems.append(RowProblem(row_id, "answer", problem))
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        problems.append(RowProblem(row_id, "question", "empty"))
    if "image" in row and (problem := image_problem(row["image"], decode=decode_images)) is not None:
        problems.append(RowProblem(row_id, "image", problem))
    return problems


def validate_rows(
    rows: Iterable[dict[str, Any]], source: str, *, max_shown: int = 20, decode_images: bool = False
) -> int:
    """Check every row; return the row count, or raise DatasetRowError listing the problems found.

    Also rejects duplicate ids, since results are keyed by id.
    """
    problems: list[RowProblem] = []
    seen: set[object] = set()
    count = 0
    for row in rows:
        count += 1
        problems.extend(row_problems(row, decode_images=decode_images))
        row_id = row.get("id")
        if row_id in seen:
            problems.append(RowProblem(row_id, "id", "duplicate id"))
        seen.add(row_id)
    if problems:
        raise DatasetRowError(source, problems[:max_shown], total=len(problems))
    if count == 0:
        raise DatasetError(f"{source}: the dataset has no rows")
    return count


def validate_dataset(dataset: datasets.Dataset, source: str, *, decode_images: bool = False) -> datasets.Dataset:
    """Validate a `datasets.Dataset` in the hub schema; returns it unchanged. Images are checked by header and
    pixel cap, and with `decode_images` decoded in full (what `spar-bench validate` does)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in dataset.column_names]
    if missing:
        raise DatasetError(
            f"{source}: missing column(s) {', '.join(missing)}; the SPAR-Bench schema has "
            f"{', '.join(REQUIRED_COLUMNS)} (plus img_type, format_type, source)"
        )
    validate_rows(undecoded_rows(dataset, REQUIRED_COLUMNS), source, decode_images=decode_images)
    return dataset


def undecoded_rows(dataset: datasets.Dataset, columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Rows as plain dicts read straight from arrow, so images stay `{"bytes", "path"}` and are not decoded."""
    table = dataset.with_format("arrow")
    for start in range(0, len(dataset), 1000):
        yield from table[start : start + 1000].select(list(columns)).to_pylist()


# ---------------------------------------------------------------- fingerprint


def fingerprint(rows: Iterable[tuple[int, str, str, str]]) -> str:
    """sha256 (hex) of the (id, task, question, answer) tuples sorted by id, one JSON array per line.

    Images are not hashed: two copies of the benchmark with the same questions and answers agree.
    """
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r[0]):
        digest.update(json.dumps(list(row), ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def dataset_fingerprint(dataset: datasets.Dataset) -> str:
    """The fingerprint of a dataset in the hub schema (see `fingerprint`)."""
    columns = dataset.select_columns(["id", "task", "question", "answer"]).to_dict()
    return fingerprint(zip(columns["id"], columns["task"], columns["question"], columns["answer"]))


# ---------------------------------------------------------------- loading


def embedded_path() -> Path:
    """The synthetic set shipped in the package (hub schema, parquet; see scripts/make_embedded_data.py)."""
    return Path(str(resources.files("spar_bench.tasks").joinpath("data", "spar_bench_synth.parquet")))


def resolve_source(source: str) -> str:
    """A short name (`synth`, `full`, `tiny`, `full-rgbd`, `tiny-rgbd`) to a path or hub id; else unchanged."""
    if source == EMBEDDED:
        return str(embedded_path())
    return HUB_DATASETS.get(source, source)


def hub_reachable(timeout_s: float = 2.0) -> bool:
    """Whether a TCP connection to the hub (`$HF_ENDPOINT`, default huggingface.co:443) opens within `timeout_s`.

    A short probe, so that an offline machine learns it in seconds rather than after `datasets`' retries.
    """
    import socket
    from urllib.parse import urlsplit

    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        socket.create_connection((endpoint.hostname or "huggingface.co", port), timeout=timeout_s).close()
    except OSError:
        return False
    return True


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _load_from_hub(resolved: str, split: str) -> datasets.Dataset:
    """A hub dataset; when the hub is unreachable (and HF_HUB_OFFLINE is unset), from the cache only, at once."""
    import datasets

    if _hub_offline() or hub_reachable():
        return datasets.load_dataset(resolved, split=split)
    import huggingface_hub.constants as hub_constants

    saved = datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE
    datasets.config.HF_HUB_OFFLINE = hub_constants.HF_HUB_OFFLINE = True  # the cache, no retries
    try:
        return datasets.load_dataset(resolved, split=split)
    finally:
        datasets.config.HF_HUB_OFFLINE, hub_constants.HF_HUB_OFFLINE = saved


def download_hint(hub_id: str) -> str:
    """The command that makes a local copy of a hub dataset, with the installed `hf` tool."""
    return f"hf download {hub_id} --repo-type dataset --local-dir DIR"


def folder_data_files(folder: Path, split: str) -> list[str] | None:
    """The parquet files of `split` in a local folder.

    A folder laid out like the hub (file or folder names carrying the split, e.g. `data/test-00000.parquet`)
    is left to `datasets` (None). Any other folder, such as one `spar-bench synth --out DIR` writes, gives
    its parquet files whose `task` column holds only SPAR-Bench tasks (the 3D grounding set beside them is
    not one); raises DatasetError when there is none.
    """
    from datasets.data_files import get_data_patterns

    try:
        patterns = get_data_patterns(str(folder))
    except Exception:
        patterns = {}
    if split in patterns:
        return None
    import pyarrow.parquet as pq

    found = sorted(folder.rglob("*.parquet"))
    kept = []
    for file in found:
        try:
            if "task" in pq.read_schema(file).names:
                tasks = set(pq.read_table(file, columns=["task"]).column("task").to_pylist())
                if tasks and tasks <= TASKS_BY_ID.keys():
                    kept.append(str(file))
        except (OSError, ValueError):
            continue  # not parquet after all: named below if nothing else is found
    if not kept:
        names = ", ".join(f.name for f in found[:10]) or "no parquet file"
        raise DatasetError(
            f"{folder}: no parquet file of SPAR-Bench tasks (found: {names}); pass a folder with the hub "
            f"layout ({split}-*.parquet) or one that `spar-bench synth --out DIR` wrote"
        )
    return kept


def load_dataset(source: str = EMBEDDED, *, split: str = "test", decode_images: bool = False) -> datasets.Dataset:
    """Load and validate a SPAR-Bench dataset from the hub, a local parquet file or folder, or `synth`.

    A folder is either in the hub layout or any folder `spar-bench synth --out DIR` wrote (see
    `folder_data_files`). Raises DatasetUnavailableError when a hub id cannot be reached and is not cached
    (after a 2 s connectivity probe, not `datasets`' retries), DatasetRowError for bad rows, DatasetError for
    a missing file or a foreign schema.
    """
    import datasets

    resolved = resolve_source(source)
    path = Path(resolved)
    try:
        if path.is_file():
            dataset = datasets.load_dataset("parquet", data_files={split: str(path)}, split=split)
        elif path.is_dir():
            files = folder_data_files(path, split)
            if files is None:
                dataset = datasets.load_dataset(str(path), split=split)
            else:
                dataset = datasets.load_dataset("parquet", data_files={split: files}, split=split)
        elif path.suffix == ".parquet" or resolved.startswith((".", "/")):
            raise DatasetError(f"{resolved}: no such file or folder")
        else:
            dataset = _load_from_hub(resolved, split)
    except DatasetError:
        raise
    except (ConnectionError, OSError, ValueError) as error:
        if path.exists():
            raise DatasetError(f"{resolved}: cannot be read as parquet in the hub schema ({error})") from error
        raise DatasetUnavailableError(
            f"cannot load {resolved!r} from the Hugging Face hub and no cached copy exists ({error}).\n"
            f"Download it where the hub is reachable (`{download_hint(resolved)}`) and pass the folder DIR "
            f"or one of its parquet files instead of the id."
        ) from error
    return validate_dataset(dataset, resolved, decode_images=decode_images)


def iter_questions(dataset: datasets.Dataset) -> Iterator[Question]:
    """`Question` records of a validated dataset, in dataset order, images as stored bytes."""
    optional = [c for c in ("source", "img_type", "format_type") if c in dataset.column_names]
    for row in undecoded_rows(dataset, [*REQUIRED_COLUMNS, *optional]):
        yield Question(
            id=row["id"],
            task=row["task"],
            question=row["question"],
            answer=row["answer"],
            images=_stored_images(row["image"]),
            source=row.get("source") or "",
            img_type=row.get("img_type") or "",
            format_type=row.get("format_type") or "",
        )


def stored_rows(dataset: datasets.Dataset, indices: Sequence[int]) -> list[dict[str, Any]]:
    """Rows at `indices` with `images` as the stored encoded bytes (not decoded), plus id, task, question, answer."""
    rows = list(undecoded_rows(dataset.select(indices), REQUIRED_COLUMNS))
    for row in rows:
        row["images"] = _stored_images(row.pop("image"))
    return rows


def _stored_images(cell: Sequence[object]) -> tuple[bytes, ...]:
    return tuple(_image_bytes(image) or b"" for image in cell)


def load_questions(source: str = EMBEDDED, *, split: str = "test") -> list[Question]:
    """Validated questions of a dataset (see `load_dataset`)."""
    return list(iter_questions(load_dataset(source, split=split)))
