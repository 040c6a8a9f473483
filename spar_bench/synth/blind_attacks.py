"""The panel of text-only attacks of the blind audit: each reads the stem and the options of a question, never
its images, and is fitted on some questions to answer others. Always-letter, structural heuristics (the most
or least isolated option, the point nearest the bottom centre, ...), a prior over option texts, and a
conditional-logit prior over option features crossed with words of the stem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from spar_bench.synth.blind_items import LETTERS, BlindItem, option_keys, option_measures, stem_tokens

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


def accuracy_of(items: Sequence[BlindItem], chosen: np.ndarray) -> float:
    """The share of `items` whose correct option is the chosen one; 0.0 for no items."""
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
        sign = max((1.0, -1.0), key=lambda s: accuracy_of(train, _pick(scores(train, s), rng)))
        return lambda items: _pick(scores(items, sign), np.random.default_rng(1))

    def applies(items: Sequence[BlindItem]) -> bool:
        return bool(items) and all(measure in m for it in items for m in option_measures(it.options))

    return Attack(f"{measure} (max or min)", fit, applies)


def option_text_prior() -> Attack:
    """The option whose text was correct most often, per time it was offered, in the fitting questions
    (smoothed towards chance, so a text seen once does not win on luck)."""

    def fit(train: Sequence[BlindItem]) -> Predict:
        offered: Counter[str] = Counter()
        correct: Counter[str] = Counter()
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
