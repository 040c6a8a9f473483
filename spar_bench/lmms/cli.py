"""`spar-bench lmms-eval ARGS...`: lmms-eval's own CLI, with an exit status that tells failure from success.

lmms-eval 0.7.3 logs an evaluation error and exits 0. This wrapper runs the same CLI in-process, remembers
whether an evaluation raised, exits 1 if one did, and prints the SPAR-Bench summary of each run that finished.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spar_bench.cli.report import print_summary
from spar_bench.results.lmms_results import summaries_from_lmms_results


def root_cause(error: BaseException) -> BaseException:
    """The innermost cause of an error (lmms-eval wraps dataset errors in tenacity's RetryError)."""
    while True:
        inner = error.__cause__ or getattr(getattr(error, "last_attempt", None), "exception", lambda: None)()
        if inner is None or inner is error:
            return error
        error = inner


# Where the main job keeps its results when no --output_path is given (lmms-eval saves nothing without one).
DEFAULT_OUTPUT = "results"
LOG_NAME = "lmms-eval.log"  # lmms-eval's own logs and progress, kept in the output folder unless --verbose


def _option_value(argv: Sequence[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` in argv (the last one given), or None."""
    value = None
    for k, item in enumerate(argv):
        if item == name and k + 1 < len(argv):
            value = argv[k + 1]
        elif item.startswith(name + "="):
            value = item.split("=", 1)[1]
    return value


def _quiet_progress_bars() -> None:
    """No tqdm bars (lmms-eval's) and no `datasets` bars, in this process and those it starts."""
    import os

    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if "datasets" in sys.modules:  # imported before the variable was set
        sys.modules["datasets"].disable_progress_bars()


def _call_lmms_eval(argv: Sequence[str], finished: list, failures: list) -> int:
    """Run lmms-eval's CLI in-process, recording each finished results dict and each evaluation error."""
    import lmms_eval.__main__ as lmms_main

    from spar_bench.lmms import models

    models.EXIT_STATUS_HANDLED = True  # this wrapper exits 1 itself
    evaluate_single = lmms_main.cli_evaluate_single

    def recording_evaluate_single(args):
        try:
            results, samples = evaluate_single(args)
        except BaseException as error:
            failures.append(error)
            raise
        if results is not None:
            finished.append(results)
        return results, samples

    lmms_main.cli_evaluate_single = recording_evaluate_single
    saved_argv = sys.argv
    sys.argv = ["lmms-eval", *argv]
    try:
        lmms_main.cli_evaluate()
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            return int(exit_.code) if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = saved_argv
        lmms_main.cli_evaluate_single = evaluate_single
    return 0


def _results_files(folder: Path, since: float) -> list[Path]:
    return sorted(p for p in folder.rglob("*_results.json") if p.stat().st_mtime >= since - 1)


def run_lmms_eval(argv: Sequence[str]) -> int:
    """Run `python -m lmms_eval argv...`; 0 only if every evaluation finished.

    Quiet unless `--verbose` is among the arguments: lmms-eval's logs, tables and progress bars go to
    OUTPUT/lmms-eval.log and the terminal shows the SPAR-Bench table, where the results are, and any error.
    Without `--output_path`, results are saved under `results/`.
    """
    import contextlib
    import time

    argv = list(argv)
    verbose = "--verbose" in argv
    argv = [item for item in argv if item != "--verbose"]
    if _option_value(argv, "--output_path") is None:
        argv += ["--output_path", DEFAULT_OUTPUT]
    output = Path(_option_value(argv, "--output_path") or DEFAULT_OUTPUT)
    started = time.time()
    failures: list[BaseException] = []
    finished: list[Mapping[str, Any]] = []
    log_path = output / LOG_NAME
    if verbose:
        code = _call_lmms_eval(argv, finished, failures)
    else:
        _quiet_progress_bars()
        output.mkdir(parents=True, exist_ok=True)
        with (
            open(log_path, "w", encoding="utf-8") as log,
            contextlib.redirect_stdout(log),
            contextlib.redirect_stderr(log),
        ):
            try:
                code = _call_lmms_eval(argv, finished, failures)
            finally:
                _restore_logger()
    for results in finished:
        if summaries := summaries_from_lmms_results(results):
            synthetic = any(str(name).startswith("spar_bench_synth") for name in results.get("results", {}))
            print_summary(
                summaries,
                title="SPAR-Bench (0-100; strict is the headline, official the released rules)",
                synthetic=synthetic,
            )
    saved = _results_files(output, started) if output.is_dir() else []
    if saved:
        print(
            f"results saved to {saved[-1]}" + ("" if verbose else f" (lmms-eval's log: {log_path}; --verbose shows it)")
        )
    if not verbose and (code or failures or not finished):
        for line in _our_lines(log_path):
            print(line, file=sys.stderr)
        print(
            f"spar-bench lmms-eval: lmms-eval's full output is in {log_path} (or rerun with --verbose)", file=sys.stderr
        )
    if code:
        return code
    if failures:
        print(f"spar-bench: lmms-eval evaluation failed: {root_cause(failures[0])}", file=sys.stderr)
        return 1
    return 0


def _restore_logger() -> None:
    """lmms-eval points its (loguru) logger at the stdout of its run, our log file: point it back at stderr."""
    try:
        from loguru import logger
    except ImportError:
        return
    logger.remove()
    logger.add(sys.stderr, level="WARNING")


def _our_lines(log_path: Path) -> list[str]:
    """The lines spar-bench itself wrote into lmms-eval's log (bad model arguments, failed requests)."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if line.startswith(("spar-bench", "SPAR-Bench"))]
