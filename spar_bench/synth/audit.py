"""Blind audit of multiple-choice questions: how well can a question be answered from its text alone?

A panel of text-only attacks reads the stem and the four options, never the images: always-letter, structural
heuristics (the most or least isolated option, the point nearest the bottom centre, the triple with the fewest
empty slots, the longest option, ...), a prior over option texts, and a conditional-logit prior over option
features crossed with words of the stem. Every attack is fitted on one seed and scored on another (and the
other way round, so each figure rests on both seeds' questions); the attack a task reports is the one that did
best in 5-fold cross-validation on the fitting seed, so the reported accuracy is not inflated by picking the
luckiest of many attacks after the fact. Chance is one over the number of options.

The audit reads only `(task, question, answer)`: it works on generated sets and on any hub-schema parquet.
Questions become `BlindItem`s in `blind_items`; the attacks are in `blind_attacks`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from spar_bench.synth.blind_attacks import Attack, accuracy_of, always_letter, attack_panel
from spar_bench.synth.blind_items import BlindItem, blind_item, blind_items, option_measures

__all__ = [
    "Attack",
    "BlindItem",
    "TaskAudit",
    "always_letter",
    "attack_panel",
    "audit",
    "audit_task",
    "blind_item",
    "blind_items",
    "format_audit",
    "generated_items",
    "option_measures",
]

CV_FOLDS = 5


@dataclass(frozen=True)
class TaskAudit:
    """One task's blind audit on a 0-1 scale.

    `selected` is the attack chosen by cross-validation on each fitting seed (two names when the two folds
    chose differently) and `accuracy` its mean held-out accuracy over both directions; `attacks` holds every
    attack's held-out accuracy, whose maximum (`best_held_out`) is biased upwards by the choice among them.
    """

    task: str
    n: int  # held-out questions per direction (the smaller seed's count)
    chance: float
    selected: str
    accuracy: float
    attacks: dict[str, float] = field(default_factory=dict)

    @property
    def best_held_out(self) -> tuple[str, float]:
        name = max(self.attacks, key=lambda attack: self.attacks[attack])
        return name, self.attacks[name]

    @property
    def excess(self) -> float:
        """Accuracy of the selected attack above chance (0-1 scale)."""
        return self.accuracy - self.chance


def _cross_validated(attack: Attack, items: Sequence[BlindItem]) -> float:
    folds = np.arange(len(items)) % CV_FOLDS
    hits = 0
    for k in range(CV_FOLDS):
        train = [it for it, f in zip(items, folds) if f != k]
        test = [it for it, f in zip(items, folds) if f == k]
        if test:
            hits += int((attack.fit(train)(test) == np.array([it.answer for it in test])).sum())
    return hits / max(len(items), 1)


def audit_task(
    first: Sequence[BlindItem], second: Sequence[BlindItem], panel: Sequence[Attack] | None = None
) -> TaskAudit:
    """Audit one task from two independently generated sets of its questions (fit on one, score on the other,
    both ways). Raises ValueError when either set is empty or the sets mix tasks."""
    if not first or not second:
        raise ValueError("the audit needs questions of the task from two seeds")
    tasks = {it.task for it in (*first, *second)}
    if len(tasks) != 1:
        raise ValueError(f"one task at a time, got {sorted(tasks)}")
    panel = [a for a in (attack_panel() if panel is None else panel) if a.applies(first) and a.applies(second)]
    held_out: dict[str, list[float]] = defaultdict(list)
    selected, accuracy = [], []
    for fitting, scoring in ((first, second), (second, first)):
        results = {}
        for attack in panel:
            results[attack.name] = accuracy_of(scoring, attack.fit(fitting)(scoring))
            held_out[attack.name].append(results[attack.name])
        cv = {attack.name: _cross_validated(attack, fitting) for attack in panel}
        choice = max(panel, key=lambda a: cv[a.name]).name  # first in panel order on ties
        selected.append(choice)
        accuracy.append(results[choice])
    chance = float(np.mean([1.0 / len(it.options) for it in (*first, *second)]))
    return TaskAudit(
        task=tasks.pop(),
        n=min(len(first), len(second)),
        chance=chance,
        selected=" / ".join(dict.fromkeys(selected)),
        accuracy=float(np.mean(accuracy)),
        attacks={name: float(np.mean(values)) for name, values in held_out.items()},
    )


def audit(first: Iterable[BlindItem], second: Iterable[BlindItem]) -> list[TaskAudit]:
    """Every task present in both sets, in the order of first appearance in `first`."""
    by_task: dict[str, tuple[list, list]] = {}
    for it in first:
        by_task.setdefault(it.task, ([], []))[0].append(it)
    for it in second:
        if it.task in by_task:
            by_task[it.task][1].append(it)
    return [audit_task(a, b) for a, b in by_task.values() if a and b]


def generated_items(seed: int, per_task: int, *, width: int = 160, height: int = 120) -> list[BlindItem]:
    """The multiple-choice questions of a seed, generated without writing images (renderings at `width` x
    `height` decide visibility and markers, so small sizes are fast but not the exact questions of a full-size
    set of the same seed)."""
    from spar_bench.synth.dataset import ScenePool, generate_questions, pool_size
    from spar_bench.tasks_spec import TASKS, AnswerKind

    tasks = [t.task_id for t in TASKS if t.answer_kind is AnswerKind.CHOICE]
    pool = ScenePool(seed, pool_size(per_task, len(tasks)), width, height)
    return blind_items(
        {"task": q.task, "question": q.question, "answer": q.answer}
        for q in generate_questions(seed, tasks, per_task, pool)
    )


def format_audit(results: Sequence[TaskAudit]) -> str:
    """A markdown table: per task the selected attack, its held-out accuracy, chance, the excess, and the best
    held-out attack (the optimistic figure)."""
    lines = [
        "| task | n | selected attack | accuracy % | chance % | excess (points) | best held-out attack (optimistic) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        name, best = r.best_held_out
        lines.append(
            f"| {r.task} | {r.n} | {r.selected} | {100 * r.accuracy:.1f} | {100 * r.chance:.1f} | "
            f"{100 * r.excess:+.1f} | {name}: {100 * best:.1f} |"
        )
    return "\n".join(lines)
