"""Kept for imports written against 0.2; the code lives in spar_bench.results.compare."""

from spar_bench.results.compare import Comparison, Row, compare, paired_bootstrap
from spar_bench.results.sides import CompareError, Side, load_side

__all__ = ["CompareError", "Comparison", "Row", "Side", "compare", "load_side", "paired_bootstrap"]
