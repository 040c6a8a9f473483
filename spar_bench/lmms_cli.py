"""Kept for imports written against 0.2; the code lives in spar_bench.lmms.cli."""

from spar_bench.lmms.cli import DEFAULT_OUTPUT, _option_value, run_lmms_eval, summaries_from_lmms_results

__all__ = ["DEFAULT_OUTPUT", "_option_value", "run_lmms_eval", "summaries_from_lmms_results"]
