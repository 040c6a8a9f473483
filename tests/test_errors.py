"""One error tree: every error a user can act on is a SparBenchError; the CLI turns it into exit 2, a bug into 70."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import spar_bench
from spar_bench import cli, errors
from spar_bench.errors import SparBenchError

# Exceptions that are control flow, never shown to a user as an error.
NOT_USER_ERRORS = {"Terminated"}  # SIGTERM raised as a KeyboardInterrupt so that the journal is flushed


def _package_exceptions() -> dict[str, type[BaseException]]:
    found = {}
    for module_info in pkgutil.walk_packages(spar_bench.__path__, "spar_bench."):
        if module_info.name.endswith("__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_public_exception_of_the_package_is_rooted_in_the_tree():
    exceptions = _package_exceptions()
    assert len(exceptions) >= 25  # the walk reached the adapters, the synth package and the results layer
    outside = [
        path
        for path, cls in exceptions.items()
        if not issubclass(cls, SparBenchError)
        and not cls.__name__.startswith("_")
        and cls.__name__ not in NOT_USER_ERRORS
    ]
    assert outside == []


def test_the_tree_has_the_categories_users_meet():
    categories = [errors.DataError, errors.ScoringInputError, errors.ModelError, errors.RequestError]
    categories += [errors.RunFolderError, errors.BundleError, errors.LeaderboardError]
    assert all(issubclass(c, SparBenchError) for c in categories)
    from spar_bench.model_adapters.openai_server import StatusFailure

    assert issubclass(StatusFailure, errors.RequestError)


def test_a_user_error_exits_2_naming_the_command(capsys):
    assert (
        cli.main(["run", "--model", "no_such_model", "--tasks", "spar_bench_synth", "--output", "/nonexistent/x"]) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("spar-bench run: unknown model 'no_such_model'") and "Traceback" not in err


def test_a_missing_input_file_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "predictions.jsonl"
    assert cli.main(["score", str(missing)]) == 2
    assert str(missing) in capsys.readouterr().err


def test_a_bare_value_error_is_a_bug_with_a_traceback(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ValueError("an internal invariant broke")

    monkeypatch.setattr("spar_bench.scoring.read_predictions", broken)
    assert cli.main(["score", "whatever.jsonl"]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback" in err and "an internal invariant broke" in err and "this is a bug" in err


@pytest.mark.parametrize("bad", ["x", "x=1,,=2"])
def test_malformed_model_args_are_a_model_error(bad):
    from spar_bench.model_adapters.arguments import parse_model_args

    with pytest.raises(errors.ModelError, match="not key=value"):
        parse_model_args(bad)
