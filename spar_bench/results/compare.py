"""Comparing two runs: is a new checkpoint better, worse, or within noise of the base?

Both sides are read to per-sample scores (`spar_bench.results.sides`: run folders, prediction or scored JSONL,
lmms-eval output folders, verified bundles) and compared on the question ids they share, with a paired bootstrap: each draw resamples
question ids within each task, the same ids for base and new. A leaderboard entry has no per-sample scores:
with an entry on either side the comparison is unpaired, from each side's own 95% intervals. 3D grounding
samples are compared apart, in their own rows (`spar_bench.results.grounding_compare`). Tables are
`spar_bench.cli.compare`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from spar_bench.aggregate import BOOTSTRAP_DRAWS, percentile_interval
from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.sides import CompareError, Side, load_side
from spar_bench.tasks_spec import LEVELS, TASK_IDS, tasks_in

__all__ = [
    "BETTER",
    "NOISE",
    "WORSE",
    "CompareError",
    "Comparison",
    "Row",
    "Side",
    "compare",
    "compare_paired",
    "compare_unpaired",
    "load_side",
    "paired_bootstrap",
]

BETTER, WORSE, NOISE = "better", "worse", "within noise"
_DRAW_CHUNK_CELLS = 4_000_000  # draws x samples per chunk: bounds the index matrix to ~32 MB


@dataclass(frozen=True)
class Row:
    """One line of the comparison, in points (0-100): the group or task, both values, new - base, the 95%
    interval of the difference and the verdict (`better` / `worse` when the interval excludes 0)."""

    name: str
    kind: str  # "headline", "level" or "task"
    base: float
    new: float
    delta: float
    ci95: tuple[float, float]
    verdict: str
    n: int | None = None


@dataclass(frozen=True)
class Comparison:
    protocol: str
    paired: bool
    rows: tuple[Row, ...]
    n_shared: int
    n_base_only: int
    n_new_only: int
    base_label: str
    new_label: str
    draws: int
    seed: int
    notes: tuple[str, ...] = ()
    grounding: tuple[Row, ...] = ()  # 3D grounding rows (mean IoU, Acc@0.25, Acc@0.5), paired by sample id

    def regressions(self, points: float) -> list[Row]:
        """Headline and task rows that drop by more than `points` with the whole interval below 0."""
        return [r for r in self.rows if r.kind in ("headline", "task") and r.delta < -points and r.ci95[1] < 0]


# ---------------------------------------------------------------- paired bootstrap


def paired_bootstrap(
    tasks: Sequence[str], base: np.ndarray, new: np.ndarray, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> dict[str, np.ndarray]:
    """{task: float64 array (draws,)} of mean(new - base) x 100 over resamples of that task's samples.

    `base` and `new` are per-sample scores (0-1) of the same questions, index by index. Each draw resamples
    question positions with replacement within the task and takes the same positions on both sides, so the
    interval reflects only how the two differ on the same questions. Tasks are drawn in paper order from one
    seeded generator: the same seed and inputs give the same draws.
    """
    diff = np.asarray(new, dtype=np.float64) - np.asarray(base, dtype=np.float64)
    tasks_array = np.asarray(tasks)
    rng = np.random.default_rng(seed)
    out = {}
    for task in (t for t in TASK_IDS if t in set(tasks)):
        values = diff[tasks_array == task]
        n = len(values)
        chunk = max(1, _DRAW_CHUNK_CELLS // n)
        means = np.empty(draws)
        for start in range(0, draws, chunk):
            stop = min(draws, start + chunk)
            means[start:stop] = values[rng.integers(0, n, size=(stop - start, n))].mean(axis=1)
        out[task] = 100.0 * means
    return out


def _verdict(low: float, high: float) -> str:
    return BETTER if low > 0 else WORSE if high < 0 else NOISE


def _fingerprints_differ(base: Side, new: Side) -> bool:
    return bool(base.fingerprint and new.fingerprint and base.fingerprint != new.fingerprint)


def _pairs_by_question_text(base: Side, new: Side) -> list[tuple[int, int]]:
    """(base position, new position) of the questions whose task and text are the same on both sides; a text
    asked twice on one side is left out (it cannot be paired unambiguously)."""
    if (
        len(base.questions) != len(base.ids)
        or len(new.questions) != len(new.ids)
        or not all(base.questions)
        or not all(new.questions)
    ):
        raise CompareError(
            f"--shared-questions needs the question text of every prediction; {base.label} or "
            f"{new.label} does not record it (a `spar-bench run` folder or samples logs do)"
        )

    def index(side: Side) -> dict[tuple[str, str], int]:
        keys = list(zip(side.tasks, side.questions))
        counts: dict[tuple[str, str], int] = {}
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
        return {key: k for k, key in enumerate(keys) if counts[key] == 1}

    new_index = index(new)
    return [(k, new_index[key]) for key, k in index(base).items() if key in new_index]


def compare_paired(
    base: Side, new: Side, protocol: str, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0, shared_questions: bool = False
) -> Comparison:
    """Rows for the headline, each level and each task present, over the question ids both sides scored.

    Runs whose dataset fingerprints differ are refused (their ids name different questions), unless
    `shared_questions`: then questions are paired by task and question text, not by id.
    """
    if shared_questions:
        shared = sorted(_pairs_by_question_text(base, new))
        if not shared:
            raise CompareError(f"{base.label} and {new.label} share no question text")
    elif _fingerprints_differ(base, new):
        raise CompareError(
            f"{base.label} and {new.label} were run on different datasets (fingerprints {str(base.fingerprint)[:8]} and "
            f"{str(new.fingerprint)[:8]}): the same id names different questions; pass --shared-questions to compare "
            "only the questions whose text is the same in both"
        )
    else:
        new_index = {i: k for k, i in enumerate(new.ids)}
        shared = [(k, new_index[i]) for k, i in enumerate(base.ids) if i in new_index]
    if not shared:
        raise CompareError(f"{base.label} and {new.label} share no question id")
    b_pos = np.array([k for k, _ in shared])
    n_pos = np.array([k for _, k in shared])
    tasks = [base.tasks[k] for k in b_pos]
    mismatched = [base.ids[k] for k, m in shared if base.tasks[k] != new.tasks[m]]
    if mismatched:
        raise CompareError(
            f"question id(s) {mismatched[:10]} belong to different tasks in BASE and NEW; "
            "are they runs of the same dataset?"
        )
    b_scores, n_scores = base.scores[protocol][b_pos], new.scores[protocol][n_pos]
    deltas = paired_bootstrap(tasks, b_scores, n_scores, draws=draws, seed=seed)
    tasks_array = np.asarray(tasks)
    b_mean = {t: 100.0 * float(b_scores[tasks_array == t].mean()) for t in deltas}
    n_mean = {t: 100.0 * float(n_scores[tasks_array == t].mean()) for t in deltas}
    counts = {t: int((tasks_array == t).sum()) for t in deltas}

    def group_row(name: str, kind: str, members: Sequence[str]) -> Row:
        b = float(np.mean([b_mean[t] for t in members]))
        n = float(np.mean([n_mean[t] for t in members]))
        low, high = percentile_interval(np.mean([deltas[t] for t in members], axis=0))
        return Row(name, kind, b, n, n - b, (low, high), _verdict(low, high), sum(counts[t] for t in members))

    rows = [group_row("Avg", "headline", list(deltas))]
    rows += [
        group_row(level.value.capitalize(), "level", ts)
        for level in LEVELS
        if (ts := [t for t in tasks_in(level) if t in deltas])
    ]
    rows += [group_row(t, "task", [t]) for t in deltas]
    notes = []
    if shared_questions:
        notes.append("paired by question text (--shared-questions): only questions asked in both runs are compared")
    return Comparison(
        protocol,
        True,
        tuple(rows),
        len(shared),
        len(base.ids) - len(shared),
        len(new.ids) - len(shared),
        base.label,
        new.label,
        draws,
        seed,
        tuple(notes),
    )


def _summary_of(side: Side, protocol: str, draws: int) -> dict:
    if side.summaries is not None:
        if protocol not in side.summaries:
            raise CompareError(f"{side.label} has no {protocol} scores")
        return side.summaries[protocol]
    from spar_bench.aggregate import summarize

    scores = cast("Sequence[float]", side.scores[protocol])  # summarize takes any array of floats
    return summarize(side.tasks, scores, intervals=draws > 0).as_dict()


def compare_unpaired(
    base: Side, new: Side, protocol: str, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> Comparison:
    """Rows from each side's own point estimates and 95% intervals (an entry has no per-sample scores).

    The interval of a difference is delta +- sqrt(h_base^2 + h_new^2), h being each interval's half-width:
    the two sides treated as independent, which is wider (more conservative) than a paired interval.
    Entries on different dataset fingerprints are refused.
    """
    if _fingerprints_differ(base, new):
        raise CompareError(f"{base.label} and {new.label} were scored on different datasets (fingerprints differ)")
    b, n = _summary_of(base, protocol, draws), _summary_of(new, protocol, draws)

    def row(name: str, kind: str, bv: float, nv: float, bci, nci, count=None) -> Row:
        half = lambda ci: 0.0 if not ci else (ci[1] - ci[0]) / 2
        spread = float(np.hypot(half(bci), half(nci)))
        delta = nv - bv
        low, high = delta - spread, delta + spread
        return Row(name, kind, bv, nv, delta, (low, high), _verdict(low, high), count)

    rows = [row("Avg", "headline", b["overall"], n["overall"], b.get("overall_ci95"), n.get("overall_ci95"))]
    for level in LEVELS:
        key = level.value
        if key in b.get("levels", {}) and key in n.get("levels", {}):
            rows.append(
                row(
                    key.capitalize(),
                    "level",
                    b["levels"][key],
                    n["levels"][key],
                    b.get("levels_ci95", {}).get(key),
                    n.get("levels_ci95", {}).get(key),
                )
            )
    for task in TASK_IDS:
        if task in b.get("tasks", {}) and task in n.get("tasks", {}):
            bt, nt = b["tasks"][task], n["tasks"][task]
            rows.append(row(task, "task", bt["score"], nt["score"], bt.get("ci95"), nt.get("ci95"), nt.get("n")))
    notes = [
        (
            "unpaired: an entry holds no per-sample scores, so intervals combine each side's own 95% interval "
            "(wider than a paired comparison)"
        )
    ]
    return Comparison(protocol, False, tuple(rows), 0, 0, 0, base.label, new.label, draws, seed, tuple(notes))


def compare(
    base: Side,
    new: Side,
    protocol: str = "strict",
    *,
    draws: int = BOOTSTRAP_DRAWS,
    seed: int = 0,
    shared_questions: bool = False,
) -> Comparison:
    """Paired when both sides have per-sample scores, else unpaired (see `compare_unpaired`)."""
    if protocol not in PROTOCOL_NAMES:
        raise CompareError(f"unknown protocol {protocol!r}; choose strict or official")
    if base.paired and new.paired:
        result = compare_paired(base, new, protocol, draws=draws, seed=seed, shared_questions=shared_questions)
    else:
        result = compare_unpaired(base, new, protocol, draws=draws, seed=seed)
    if base.grounding is None and new.grounding is None:
        return result
    from dataclasses import replace

    from spar_bench.results.grounding_compare import grounding_rows

    rows, notes = grounding_rows(base, new, draws=draws, seed=seed)
    return replace(result, grounding=rows, notes=result.notes + notes)
