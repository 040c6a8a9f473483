"""Metric functions for spatial answers: pure, vectorized where it pays, no I/O, no knowledge of tasks.

Installed as `spar_bench.metrics`. Protocols (`spar_bench.protocols`) decide which metric scores which task.
"""
