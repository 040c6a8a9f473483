"""Dataset rows in, validated `Question` records and a fingerprint out.

Sources: a hub dataset id (`jasonzhango/SPAR-Bench`, ...), a local parquet file or folder with the hub
schema, or `synth` (the synthetic set shipped in the package, made by `spar_bench.synth`). Every row is checked on load; a bad row
stops the load with an error that names the row id, the field and the problem (the checks are in `schema`,
the image checks in `images`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spar_bench.images import image_problem, stored_images
from spar_bench.schema import (
    REQUIRED_COLUMNS,
    DatasetError,
    DatasetRowError,
    DatasetUnavailableError,
    RowProblem,
    answer_problem,
    row_problems,
    undecoded_rows,
    validate_dataset,
    validate_rows,
)
from spar_bench.tasks_spec import TASKS_BY_ID

if TYPE_CHECKING:  # datasets is imported lazily: scoring never needs it
    import datasets

__all__ = [
    "EMBEDDED",
    "HUB_DATASETS",
    "REQUIRED_COLUMNS",
    "DatasetError",
    "DatasetRowError",
    "DatasetUnavailableError",
    "Question",
    "RowProblem",
    "answer_problem",
    "dataset_fingerprint",
    "download_hint",
    "embedded_path",
    "fingerprint",
    "folder_data_files",
    "hub_reachable",
    "image_problem",
    "iter_questions",
    "load_dataset",
    "load_questions",
    "NAMED_SOURCES",
    "resolve_source",
    "row_problems",
    "stored_rows",
    "undecoded_rows",
    "validate_dataset",
    "validate_rows",
]

HUB_DATASETS: dict[str, str] = {
    "full": "jasonzhango/SPAR-Bench",
    "tiny": "jasonzhango/SPAR-Bench-Tiny",
    "full-rgbd": "jasonzhango/SPAR-Bench-RGBD",
    "tiny-rgbd": "jasonzhango/SPAR-Bench-Tiny-RGBD",
}
EMBEDDED = "synth"
# The short names a source can be given by; a run on one of them is on a standard split of that name.
NAMED_SOURCES: tuple[str, ...] = (*HUB_DATASETS, EMBEDDED)


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
            images=stored_images(row["image"]),
            source=row.get("source") or "",
            img_type=row.get("img_type") or "",
            format_type=row.get("format_type") or "",
        )


def stored_rows(dataset: datasets.Dataset, indices: Sequence[int]) -> list[dict[str, Any]]:
    """Rows at `indices` with `images` as the stored encoded bytes (not decoded), plus id, task, question, answer."""
    rows = list(undecoded_rows(dataset.select(indices), REQUIRED_COLUMNS))
    for row in rows:
        row["images"] = stored_images(row.pop("image"))
    return rows


def load_questions(source: str = EMBEDDED, *, split: str = "test") -> list[Question]:
    """Validated questions of a dataset (see `load_dataset`)."""
    return list(iter_questions(load_dataset(source, split=split)))
