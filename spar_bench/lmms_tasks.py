"""Kept for imports written against 0.2; the code lives in spar_bench.lmms.tasks."""

from spar_bench.lmms.tasks import process_results

__all__ = ["process_results"]
