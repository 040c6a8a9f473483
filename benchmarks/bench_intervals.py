"""Coverage of 95% intervals at small n: the per-task and the stratified (headline, level) intervals of
`spar_bench.aggregate`, against the percentile bootstrap they replace, over a grid of true score distributions.

Per task, 0/1 scores (multiple choice) and MRA scores (tenths, {0, 0.1, ..., 1}) at n questions: coverage is
exact for intervals that depend on the sum only (the sum's distribution is convolved out) and Monte Carlo for
the bootstrap. For the headline (20 tasks: 9 MRA-like, 11 0/1, as in SPAR-Bench) and the medium level (3 tasks)
random configurations of true distributions are drawn from the grid, plus hand-picked extremes (every task near
perfect, every task near zero). Prints, per method, the mean and the worst coverage and the mean width (points).

Run: python benchmarks/bench_intervals.py [--n 10] [--trials 400] [--configs 40] [--seed 0]
Target (issue 10): coverage of at least 0.93 at n = 10 for 0/1 and MRA tasks.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from spar_bench.aggregate import clopper_pearson, stratified_interval

TENTHS = np.round(np.arange(11) / 10, 1)
Z = 1.959963984540054


# ---------------------------------------------------------------- the grid of true distributions


def binary_grid() -> list[np.ndarray]:
    """Probabilities over TENTHS with mass only at 0 and 1."""
    out = []
    for p in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99):
        dist = np.zeros(11)
        dist[0], dist[10] = 1 - p, p
        out.append(dist)
    return out


def mra_grid() -> list[np.ndarray]:
    """Probabilities over TENTHS: discretized betas (a, b in 0.3, 1, 3, 8) and miss-or-hit mixtures (a share q of
    zeros, the rest at 0.6, 0.9 or 1.0 with a tenth either side)."""
    out = []
    centres = (TENTHS + 0.05).clip(0, 1)
    for a in (0.3, 1.0, 3.0, 8.0):
        for b in (0.3, 1.0, 3.0, 8.0):
            weights = centres ** (a - 1) * (1 - centres + 1e-3) ** (b - 1)
            out.append(weights / weights.sum())
    for q in (0.05, 0.3, 0.6, 0.9):
        for hit in (6, 9, 10):
            dist = np.zeros(11)
            dist[0] = q
            spread = [k for k in (hit - 1, hit, hit + 1) if 0 < k <= 10]
            dist[spread] += (1 - q) / len(spread)
            out.append(dist)
    return out


# ---------------------------------------------------------------- methods


def bootstrap_interval(scores: np.ndarray, rng: np.random.Generator, draws: int = 1000) -> tuple[float, float]:
    """The old per-task interval: 2.5th and 97.5th percentiles of resampled means."""
    values, counts = np.unique(scores, return_counts=True)
    means = rng.multinomial(len(scores), counts / len(scores), size=draws) @ values / len(scores)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def wilson_interval(total: float, n: int) -> tuple[float, float]:
    """Wilson's score interval with the sum of scores as the count (a candidate, not used)."""
    p = total / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z / (1 + Z**2 / n) * np.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def sum_distribution(dist: np.ndarray, n: int) -> np.ndarray:
    """Probabilities of the sum of n scores in tenths (index k: sum k / 10)."""
    total = np.array([1.0])
    for _ in range(n):
        total = np.convolve(total, dist)
    return total


def exact_coverage(dist: np.ndarray, n: int, interval) -> tuple[float, float]:
    """(coverage, mean width) of an interval that depends on the sum only."""
    truth = float(dist @ TENTHS)
    probabilities = sum_distribution(dist, n)
    coverage = width = 0.0
    for k, probability in enumerate(probabilities):
        if probability < 1e-15:
            continue
        low, high = interval(k / 10, n)
        coverage += probability * (low - 1e-12 <= truth <= high + 1e-12)
        width += probability * (high - low)
    return coverage, width


def bootstrap_coverage(dist: np.ndarray, n: int, trials: int, rng: np.random.Generator) -> tuple[float, float]:
    truth = float(dist @ TENTHS)
    hits, width = 0, 0.0
    for _ in range(trials):
        scores = rng.choice(TENTHS, size=n, p=dist)
        low, high = bootstrap_interval(scores, rng)
        hits += low - 1e-12 <= truth <= high + 1e-12
        width += high - low
    return hits / trials, width / trials


def group_methods(rng: np.random.Generator):
    """The group (headline, level) intervals compared: name -> function of a list of per-task score arrays."""

    def old(groups):
        draws = np.mean(
            [
                rng.multinomial(len(g), np.unique(g, return_counts=True)[1] / len(g), size=500) @ np.unique(g) / len(g)
                for g in groups
            ],
            axis=0,
        )
        low, high = np.percentile(draws, [2.5, 97.5])
        return float(low), float(high)

    def normal(groups):
        centre = np.mean([g.mean() for g in groups])
        half = Z * np.sqrt(sum(g.var(ddof=1) / len(g) for g in groups)) / len(groups)
        return centre - half, centre + half

    return {
        "old: stratified percentile bootstrap": old,
        "stratified normal, sample variances": normal,
        "new: stratified normal, variances padded with a 0 and a 1": stratified_interval,
    }


# ---------------------------------------------------------------- report


def summarize_rows(rows: list[tuple[float, float]]) -> str:
    coverage = np.array([c for c, _ in rows])
    width = np.array([w for _, w in rows])
    return f"mean {coverage.mean():.3f}  worst {coverage.min():.3f}  mean width {100 * width.mean():5.1f} points"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="questions per task (default 10, the embedded set)")
    parser.add_argument("--trials", type=int, default=400, help="Monte Carlo samples per distribution")
    parser.add_argument("--configs", type=int, default=40, help="random task configurations for the headline")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    families = {"0/1 tasks": binary_grid(), "MRA tasks": mra_grid()}

    print(f"per-task 95% intervals at n = {args.n}")
    for family, grid in families.items():
        print(f"  {family} ({len(grid)} true distributions)")
        rows = {
            "old: percentile bootstrap": [bootstrap_coverage(d, args.n, args.trials, rng) for d in grid],
            "Wilson on the score sum": [exact_coverage(d, args.n, wilson_interval) for d in grid],
            "new: Clopper-Pearson on the score sum": [exact_coverage(d, args.n, clopper_pearson) for d in grid],
        }
        for name, values in rows.items():
            print(f"    {name:58s} {summarize_rows(values)}")

    shapes = {"headline (20 tasks: 9 MRA, 11 0/1)": (9, 11), "medium level (3 tasks: 1 MRA, 2 0/1)": (1, 2)}
    for label, (n_mra, n_binary) in shapes.items():
        configs = []
        for _ in range(args.configs):
            mra = [families["MRA tasks"][int(i)] for i in rng.integers(len(families["MRA tasks"]), size=n_mra)]
            binary = [families["0/1 tasks"][int(i)] for i in rng.integers(len(families["0/1 tasks"]), size=n_binary)]
            configs.append(mra + binary)
        configs.append([families["0/1 tasks"][-1]] * (n_mra + n_binary))  # every task near perfect
        configs.append([families["0/1 tasks"][0]] * (n_mra + n_binary))  # every task near zero
        configs.append([families["MRA tasks"][12]] * n_mra + [families["0/1 tasks"][-2]] * n_binary)  # high MRA, p .98
        print(f"{label} at n = {args.n} per task ({len(configs)} configurations x {args.trials} trials)")
        methods = group_methods(rng)
        rows = {name: [] for name in methods}
        for config in configs:
            truth = float(np.mean([d @ TENTHS for d in config]))
            samples = [[rng.choice(TENTHS, size=args.n, p=d) for d in config] for _ in range(args.trials)]
            for name, method in methods.items():
                hits, width = 0, 0.0
                for groups in samples:
                    low, high = method(groups)
                    hits += low - 1e-12 <= truth <= high + 1e-12
                    width += high - low
                rows[name].append((hits / args.trials, width / args.trials))
        for name, values in rows.items():
            print(f"    {name:58s} {summarize_rows(values)}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
