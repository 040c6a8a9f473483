"""Blind audit of multiple-choice questions: how well can a question be answered from its text alone?

A panel of text-only attacks reads the stem and the four options, never the images: always-letter, structural
heuristics (the most or least isolated option, the point nearest the bottom centre, the triple with the fewest
empty slots, the longest option, ...), a prior over option texts, and a conditional-logit prior over option
features crossed with words of the stem. Every attack is fitted on one seed and scored on another (and the
other way round, so each figure rests on both seeds' questions); the attack a task reports is the one that did
best in 5-fold cross-validation on the fitting seed, so the reported accuracy is not inflated by picking the
luckiest of many attacks after the fact. Chance is one over the number of options.

The audit reads only `(task, question, answer)`: it works on generated sets and on any hub-schema parquet.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

LETTERS = "ABCD"
_OPTION = re.compile(r"(?:^|(?<=\s))([A-D])\. (.*?)(?=\s[A-D]\. |$)")
_POINT = re.compile(r"^\[(\d+), (\d+)\]$")
_BOX = re.compile(r"^\[(\d+), (\d+), (\d+), (\d+)\]$")
_COLOUR_POINT = re.compile(r"^(\w+) point \((.+)\)$")
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
# The eight compass words a direction option may hold, clockwise from front; the audit's own copy.
_COMPASS = ("front", "front-right", "right", "back-right", "back", "back-left", "left", "front-left")
CV_FOLDS = 5


@dataclass(frozen=True)
class BlindItem:
    """One multiple-choice question as text: the stem (options removed), the option texts in letter order and
    the index of the correct one."""

    task: str
    stem: str
    options: tuple[str, ...]
    answer: int


def blind_item(task: str, question: str, answer: str) -> BlindItem | None:
    """The question split into stem and options; None when it holds no `A. ... D. ...` list or the answer is not
    one of its letters (a numeric or motion question)."""
    start = question.find(" A. ")
    if start < 0:
        return None
    found = {m.group(1): m.group(2).strip() for m in _OPTION.finditer(question[start + 1 :])}
    letters = [letter for letter in LETTERS if letter in found]
    if len(letters) < 2 or answer.strip() not in letters:
        return None
    return BlindItem(task, question[:start].strip(), tuple(found[k] for k in letters), letters.index(answer.strip()))


def blind_items(rows: Iterable[Mapping]) -> list[BlindItem]:
    """The multiple-choice rows of `rows` (mappings with `task`, `question`, `answer`) as BlindItems."""
    items = (blind_item(row["task"], row["question"], str(row["answer"])) for row in rows)
    return [item for item in items if item is not None]


# ---------------------------------------------------------------- what an option looks like


def _angle(text: str) -> float | None:
    return _COMPASS.index(text) * 45.0 if text in _COMPASS else None


def _triple(text: str) -> tuple[str, ...] | None:
    parts = tuple(p.strip() for p in text.split(","))
    return parts if len(parts) == 3 else None


def _circular(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


@functools.lru_cache(maxsize=1 << 16)
def option_measures(options: tuple[str, ...]) -> tuple[dict[str, float], ...]:
    """Per option, the structural quantities the heuristics rank by (the same keys for every option of a
    question; which keys exist depends on what the options look like).

    Always: `length` (characters). Points `[x, y]`: `x`, `y`, `to_bottom_centre`, `to_centre`, `isolation`
    (mean distance to the other points). Boxes: `area`, `box_x`, `box_y`, `to_centre`, `isolation`. Directions:
    `isolation` (summed angle to the others). Relation triples: `empty_slots`, `isolation` (summed slot
    differences to the others). Anything else gets `length` only. Cached: treat the result as read-only.
    """
    measures: list[dict[str, float]] = [{"length": float(len(o))} for o in options]
    points = [_POINT.match(o) for o in options]
    boxes = [_BOX.match(o) for o in options]
    angles = [_angle(o) for o in options]
    triples = [_triple(o) for o in options]
    if all(points):
        xy = np.array([[float(m.group(1)), float(m.group(2))] for m in points])
        for m, (x, y) in zip(measures, xy):
            m.update(x=x, y=y, to_bottom_centre=math.hypot(x - 500, y - 1000), to_centre=math.hypot(x - 500, y - 500))
        _isolation(measures, xy)
    elif all(boxes):
        b = np.array([[float(v) for v in m.groups()] for m in boxes])
        centres = np.column_stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2])
        for m, box, (x, y) in zip(measures, b, centres):
            m.update(
                area=(box[2] - box[0]) * (box[3] - box[1]), box_x=x, box_y=y, to_centre=math.hypot(x - 500, y - 500)
            )
        _isolation(measures, centres)
    elif all(a is not None for a in angles):
        for m, a in zip(measures, angles):
            m["isolation"] = sum(_circular(a, b) for b in angles)
    elif all(triples):
        for m, t in zip(measures, triples):
            m["empty_slots"] = float(sum(s == "" for s in t))
            m["isolation"] = float(sum(sum(x != y for x, y in zip(t, u)) for u in triples))
    return tuple(measures)


def _isolation(measures: list[dict[str, float]], xy: np.ndarray) -> None:
    distances = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=-1)
    for m, row in zip(measures, distances):
        m["isolation"] = float(row.sum() / max(len(xy) - 1, 1))


@functools.lru_cache(maxsize=1 << 16)
def option_keys(text: str) -> tuple[str, ...]:
    """Categorical descriptions of one option for the learned prior: its text (coordinates binned to a 4 x 4
    grid, so that positions generalise across questions) and its parts (relation slots, colour, category)."""
    point, box, colour_point, triple = _POINT.match(text), _BOX.match(text), _COLOUR_POINT.match(text), _triple(text)
    if point:
        x, y = int(point.group(1)), int(point.group(2))
        return (f"cell={min(x // 250, 3)},{min(y // 250, 3)}", f"row={min(y // 250, 3)}", f"col={min(x // 250, 3)}")
    if box:
        x0, y0, x1, y1 = (int(v) for v in box.groups())
        size = min(int(math.log2(max((x1 - x0) * (y1 - y0), 1) / 1000 + 1)), 9)
        return (f"cell={min((x0 + x1) // 500, 3)},{min((y0 + y1) // 500, 3)}", f"size={size}")
    if colour_point:
        return (f"colour={colour_point.group(1)}", f"category={colour_point.group(2)}")
    if triple:
        return (f"text={text}", *(f"slot{i}={s}" for i, s in enumerate(triple)))
    return (f"text={text}",)


@functools.lru_cache(maxsize=1 << 16)
def stem_tokens(stem: str) -> frozenset[str]:
    """Words and numbers of a stem, lower-cased, plus adjacent pairs (`to the left` gives `the left`)."""
    words = _TOKEN.findall(stem.lower())
    return frozenset(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


# ---------------------------------------------------------------- attacks


Predict = Callable[[Sequence[BlindItem]], np.ndarray]


def _always(items: Sequence[BlindItem]) -> bool:
    return True


@dataclass(frozen=True)
class Attack:
    """A text-only attack: `fit(train)` returns a function from items to the chosen option indices;
    `applies(items)` says whether the attack means anything for these questions (a heuristic over point
    coordinates does not for direction words, and would only add a coin flip to the panel)."""

    name: str
    fit: Callable[[Sequence[BlindItem]], Predict]
    applies: Callable[[Sequence[BlindItem]], bool] = _always


def _pick(scores: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Per question the index of the highest score, ties broken at random (a tie is no signal)."""
    chosen = []
    for s in scores:
        best = np.flatnonzero(s >= s.max() - 1e-9)
        chosen.append(int(best[rng.integers(len(best))]) if len(best) > 1 else int(best[0]))
    return np.array(chosen, dtype=int)


def _accuracy(items: Sequence[BlindItem], chosen: np.ndarray) -> float:
    return float(np.mean(np.array([it.answer for it in items]) == chosen)) if len(items) else 0.0


def always_letter() -> Attack:
    """Always the letter that was most often correct in the fitting questions."""

    def fit(train: Sequence[BlindItem]) -> Predict:
        best = Counter(it.answer for it in train).most_common(1)[0][0] if train else 0
        return lambda items: np.full(len(items), best, dtype=int)

    return Attack("always-letter", fit)


def heuristic(measure: str) -> Attack:
    """The option with the largest or the smallest `measure` (see `option_measures`), whichever direction was
    right more often in the fitting questions (ties, and questions whose options lack the measure, get a random
    option). It applies only to questions whose options all have the measure."""

    def scores(items: Sequence[BlindItem], sign: float) -> list[np.ndarray]:
        out = []
        for it in items:
            values = [m.get(measure) for m in option_measures(it.options)]
            out.append(sign * np.array(values, dtype=float) if None not in values else np.zeros(len(it.options)))
        return out

    def fit(train: Sequence[BlindItem]) -> Predict:
        rng = np.random.default_rng(0)
        sign = max((1.0, -1.0), key=lambda s: _accuracy(train, _pick(scores(train, s), rng)))
        return lambda items: _pick(scores(items, sign), np.random.default_rng(1))

    def applies(items: Sequence[BlindItem]) -> bool:
        return bool(items) and all(measure in m for it in items for m in option_measures(it.options))

    return Attack(f"{measure} (max or min)", fit, applies)


def option_text_prior() -> Attack:
    """The option whose text was correct most often, per time it was offered, in the fitting questions
    (smoothed towards chance, so a text seen once does not win on luck)."""

    def fit(train: Sequence[BlindItem]) -> Predict:
        offered, correct = Counter(), Counter()
        for it in train:
            for i, option in enumerate(it.options):
                key = option_keys(option)[0]
                offered[key] += 1
                correct[key] += i == it.answer
        prior = 1.0 / 4

        def rate(option: str) -> float:
            key = option_keys(option)[0]
            return (correct[key] + 2 * prior) / (offered[key] + 2)

        return lambda items: _pick([np.array([rate(o) for o in it.options]) for it in items], np.random.default_rng(2))

    return Attack("option-text prior", fit)


def learned_prior(penalty: float) -> Attack:
    """A conditional logit over the options of a question: option keys, option keys crossed with stem words,
    the option's letter, and the structural measures (standardised), with an L2 `penalty`. Features come from
    the fitting questions only (a key or pair must occur in at least two of them)."""

    def fit(train: Sequence[BlindItem]) -> Predict:
        from scipy import sparse

        # Stem words in nearly every or nearly no fitting question carry no information; leaving them out keeps
        # the model small (a word in every stem crossed with a key only repeats the key).
        document = Counter(t for it in train for t in stem_tokens(it.stem))
        informative = frozenset(t for t, c in document.items() if 3 <= c <= len(train) - 3)
        counts: Counter = Counter()
        for it in train:
            counts.update({f for option_features in _option_features(it, informative) for f in option_features})
        vocabulary = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= 2))}
        measure_names = sorted({k for it in train for m in option_measures(it.options) for k in m})
        raw = np.array([[m.get(k, 0.0) for k in measure_names] for it in train for m in option_measures(it.options)])
        mean, scale = (raw.mean(axis=0), raw.std(axis=0) + 1e-9) if len(raw) else (0.0, 1.0)
        n_sparse = len(vocabulary) + len(LETTERS)

        def design(items: Sequence[BlindItem]) -> tuple:
            """(sparse one-hot part (4 n, n_sparse), dense measures (4 n, m), mask of missing options (n, 4))."""
            rows, cols = [], []
            dense = np.zeros((len(items) * len(LETTERS), len(measure_names)))
            missing = np.zeros((len(items), len(LETTERS)), dtype=bool)
            for q, it in enumerate(items):
                missing[q, len(it.options) :] = True
                for i, (features, m) in enumerate(zip(_option_features(it, informative), option_measures(it.options))):
                    r = q * len(LETTERS) + i
                    hits = [vocabulary[f] for f in features if f in vocabulary] + [len(vocabulary) + i]
                    rows.extend([r] * len(hits))
                    cols.extend(hits)
                    dense[r] = (np.array([m.get(k, 0.0) for k in measure_names]) - mean) / scale
            onehot = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items) * len(LETTERS), n_sparse))
            return sparse.hstack([onehot, sparse.csr_matrix(dense)]).tocsr(), missing

        def logits(x, missing: np.ndarray, w: np.ndarray) -> np.ndarray:
            return np.where(missing, -np.inf, (x @ w).reshape(missing.shape))

        x, missing = design(train)
        target = np.zeros(missing.shape)
        target[np.arange(len(train)), [it.answer for it in train]] = 1.0

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            z = logits(x, missing, w)
            z -= z.max(axis=1, keepdims=True)
            log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            value = -np.where(target > 0, log_p, 0.0).sum() + penalty / 2 * w @ w
            gradient = x.T @ (np.exp(log_p) - target).ravel() + penalty * w
            return float(value), gradient

        weights = _minimize(loss, np.zeros(x.shape[1]))

        def predict(items: Sequence[BlindItem]) -> np.ndarray:
            xs, ms = design(items)
            return _pick(list(logits(xs, ms, weights)), np.random.default_rng(3))

        return predict

    return Attack(f"learned prior (L2 {penalty:g})", fit)


def _minimize(
    loss: Callable[[np.ndarray], tuple[float, np.ndarray]], start: np.ndarray, iterations: int = 300
) -> np.ndarray:
    """L-BFGS (10 pairs, backtracking line search) on a smooth convex loss returning (value, gradient).

    Written out rather than scipy's L-BFGS-B, whose small BLAS calls run several times slower under a busy
    multi-threaded BLAS; this one is plain numpy on vectors.
    """
    w = start.copy()
    value, gradient = loss(w)
    steps: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(iterations):
        direction = -gradient
        alphas = []
        for s_k, y_k, rho in reversed(steps):  # two-loop recursion
            alpha = rho * (s_k @ direction)
            direction = direction - alpha * y_k
            alphas.append(alpha)
        if steps:
            s_k, y_k, _ = steps[-1]
            direction = direction * ((s_k @ y_k) / (y_k @ y_k))
        for (s_k, y_k, rho), alpha in zip(steps, reversed(alphas)):
            direction = direction + s_k * (alpha - rho * (y_k @ direction))
        slope = gradient @ direction
        if slope >= 0:  # not a descent direction: restart from the gradient
            steps, direction, slope = [], -gradient, -(gradient @ gradient)
        step = 1.0
        while True:
            candidate = w + step * direction
            new_value, new_gradient = loss(candidate)
            if new_value <= value + 1e-4 * step * slope or step < 1e-10:
                break
            step /= 2
        s_new, y_new = candidate - w, new_gradient - gradient
        if s_new @ y_new > 1e-12:
            steps = [*steps[-9:], (s_new, y_new, 1.0 / (s_new @ y_new))]
        converged = abs(value - new_value) <= 1e-9 * max(abs(value), 1.0)
        w, value, gradient = candidate, new_value, new_gradient
        if converged or np.abs(gradient).max() < 1e-6:
            break
    return w


def _option_features(item: BlindItem, informative: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """Per option its keys and each key crossed with each informative stem token (`key|token`)."""
    tokens = stem_tokens(item.stem) & informative
    out = []
    for option in item.options:
        keys = option_keys(option)
        out.append((*keys, *(f"{k}|{t}" for k in keys for t in tokens)))
    return tuple(out)


HEURISTIC_MEASURES = (
    "length",
    "isolation",
    "empty_slots",
    "to_bottom_centre",
    "to_centre",
    "x",
    "y",
    "area",
    "box_x",
    "box_y",
)


def attack_panel() -> list[Attack]:
    """Every attack the audit runs, in report order."""
    return [
        always_letter(),
        *(heuristic(m) for m in HEURISTIC_MEASURES),
        option_text_prior(),
        learned_prior(1.0),
        learned_prior(10.0),
    ]


# ---------------------------------------------------------------- the audit


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
        name = max(self.attacks, key=self.attacks.get)
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
            results[attack.name] = _accuracy(scoring, attack.fit(fitting)(scoring))
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
