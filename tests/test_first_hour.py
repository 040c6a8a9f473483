"""The potholes of a newcomer's first hour (issue 13), one behaviour per test: bad model arguments, synth
folders as data, compare across datasets, custom leaderboard splits, quiet output, help texts, offline hints."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spar_bench import cli
from spar_bench.model_adapters.arguments import ModelArgsError
from spar_bench.model_adapters.registry import check_model_args_of

# ---------------------------------------------------------------- model arguments


@pytest.mark.parametrize(
    ("model", "args", "says"),
    [
        ("spar_hf", {"pretrained": "m", "dtpye": "bfloat16"}, "did you mean 'dtype'"),
        ("spar_openai", {"model": "m", "timeout": "3"}, "did you mean 'timeout_s'"),
        ("spar_random", {"sed": "1"}, "did you mean 'seed'"),
        ("spar_hf", {"pretrained": "m", "batch_size": "eight"}, "batch_size='eight' must be a whole number"),
        ("spar_hf", {"pretrained": "m", "blind": "maybe"}, "blind='maybe' must be true/false"),
        ("spar_openai", {"model": "m", "timeout_s": "soon"}, "timeout_s='soon' must be a number"),
        ("spar_hf", {"dtype": "auto"}, "needs the model argument(s) pretrained"),
    ],
)
def test_bad_model_args_are_named_with_the_valid_choices(model, args, says):
    with pytest.raises(ModelArgsError, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_model_args_of(model, args)


def test_batch_size_in_lmms_eval_model_args_points_to_the_flag():
    with pytest.raises(ModelArgsError, match="set it with --batch_size"):
        check_model_args_of("spar_hf", {"pretrained": "m", "batch_size": "8"}, lmms_eval=True)
    check_model_args_of("spar_hf", {"pretrained": "m", "batch_size": "8"})  # spar-bench run takes it


def test_valid_model_args_pass():
    check_model_args_of("spar_hf", {"pretrained": "m", "dtype": "bfloat16", "max_pixels": "none", "blind": "true"})
    check_model_args_of("spar_openai", {"model": "m", "base_url": "http://127.0.0.1:1/v1", "timeout_s": "2.5"})
    check_model_args_of("spar_openai", {"model": "m", "journal": "/tmp/j"}, lmms_eval=True)


def test_run_with_a_misspelt_model_arg_is_one_line_and_exit_2(tmp_path, capsys):
    code = cli.main(
        [
            "run",
            "--model",
            "spar_hf",
            "--model-args",
            "pretrained=x,dtpye=bf16",
            "--tasks",
            "spar_bench_synth",
            "--output",
            str(tmp_path / "run"),
        ]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "dtpye" in err and "did you mean 'dtype'" in err and "Traceback" not in err


def test_lmms_eval_with_batch_size_in_model_args_exits_2_with_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lmms_eval",
            "--model",
            "spar_hf",
            "--model_args",
            "pretrained=x,batch_size=8",
            "--tasks",
            "spar_bench_synth_depth_prediction_oc",
        ],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "set it with --batch_size" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "multiple values for keyword argument" not in done.stdout + done.stderr


# ---------------------------------------------------------------- synth folders as data


@pytest.fixture(scope="module")
def synth_default_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "out"
    assert cli.main(["synth", "--out", str(out)]) == 0
    return out


def test_data_takes_the_folder_synth_writes(synth_default_folder):
    from spar_bench.data import load_dataset

    assert len(load_dataset(str(synth_default_folder))) == 200  # the 3D grounding set beside it is left out


def test_synth_defaults_reproduce_the_embedded_set(synth_default_folder):
    from spar_bench.data import dataset_fingerprint, load_dataset

    assert dataset_fingerprint(load_dataset(str(synth_default_folder))) == dataset_fingerprint(load_dataset("synth"))


def test_a_folder_without_spar_tasks_is_named(tmp_path):
    from spar_bench.data import DatasetError, load_dataset

    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(DatasetError, match="no parquet file of SPAR-Bench tasks"):
        load_dataset(str(tmp_path))


# ---------------------------------------------------------------- compare and leaderboard


def _side(fingerprint: str, questions: tuple[str, ...], scores: list[float]):
    import numpy as np

    from spar_bench.results.compare import Side

    n = len(questions)
    return Side(
        fingerprint[:4],
        ids=tuple(range(n)),
        tasks=("depth_prediction_oc",) * n,
        scores={"strict": np.array(scores), "official": np.array(scores)},
        fingerprint=fingerprint,
        questions=questions,
    )


def test_compare_refuses_runs_of_different_datasets():
    from spar_bench.results.compare import CompareError, compare

    base, new = _side("a" * 64, ("q1", "q2"), [1, 0]), _side("b" * 64, ("q3", "q1"), [0, 1])
    with pytest.raises(CompareError, match="--shared-questions"):
        compare(base, new)


def test_compare_shared_questions_pairs_by_text():
    from spar_bench.results.compare import compare

    base, new = _side("a" * 64, ("q1", "q2"), [1.0, 0.0]), _side("b" * 64, ("q3", "q1"), [0.0, 1.0])
    result = compare(base, new, shared_questions=True, draws=50)
    assert result.n_shared == 1 and result.rows[0].delta == 0.0  # q1 against q1, not id 0 against id 0


def test_custom_splits_are_named_from_the_fingerprint():
    from spar_bench.leaderboard import custom_split

    assert custom_split("4C39D9EC" + "0" * 56) == "custom-4c39d9ec"
    assert custom_split("a" * 64) != custom_split("b" * 64)


def test_the_overwrite_message_names_the_flag(tmp_path):
    from spar_bench.leaderboard import write_entry

    entry = json.loads(next((Path(__file__).parents[1] / "leaderboard" / "entries").glob("*.json")).read_text())
    write_entry(entry, tmp_path)
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_entry(entry, tmp_path)


def test_leaderboard_add_takes_split_and_overwrite():
    parser = cli.build_parser()
    args = parser.parse_args(["leaderboard", "add", "b.tar.gz", "--split", "my-copy", "--overwrite"])
    assert args.split == "my-copy" and args.overwrite is True
    assert parser.parse_args(["compare", "a", "b", "--shared-questions"]).shared_questions is True


# ---------------------------------------------------------------- quiet output, legend, help, offline


def test_the_summary_has_a_one_line_legend():
    from spar_bench.cli.report import summary_legend

    legend = summary_legend(["strict", "official"], synthetic=True)
    assert "\n" not in legend and "strict" in legend and "official" in legend and "synth" in legend
    assert "synth" not in summary_legend(["strict"])


def test_run_shows_no_datasets_progress_bars(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "spar_bench",
            "run",
            "--model",
            "spar_oracle",
            "--tasks",
            "spar_bench_synth",
            "--output",
            str(tmp_path / "o"),
            "--limit",
            "1",
            "--no-progress",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for noise in ("Generating test split", "Filter", "examples/s"):
        assert noise not in done.stdout + done.stderr
    assert "strict = " in done.stdout


def test_lmms_eval_wrapper_defaults_its_output_path():
    from spar_bench.lmms.cli import DEFAULT_OUTPUT, _option_value

    assert DEFAULT_OUTPUT == "results"
    assert _option_value(["--output_path", "x"], "--output_path") == "x"
    assert _option_value(["--output_path=y"], "--output_path") == "y"
    assert _option_value(["--tasks", "t"], "--output_path") is None


def _all_parsers(parser, words=()):
    import argparse

    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if name != "synth":  # the generator parses its own arguments
                    yield from _all_parsers(sub, (*words, name))


def test_every_command_help_has_a_purpose_and_two_examples():
    for words, parser in _all_parsers(cli.build_parser()):
        text = parser.format_help()
        assert parser.description, words
        assert "examples:" in text, words
        examples = text.split("examples:", 1)[1].splitlines()
        assert sum(line.startswith("  spar-bench") for line in examples) >= 2, words


def test_help_shows_defaults():
    parsers = dict(_all_parsers(cli.build_parser()))
    assert "(default: both)" in parsers[("score",)].format_help()
    assert "(default: strict)" in parsers[("compare",)].format_help()


def test_offline_hint_names_hf_and_fails_fast(monkeypatch):
    from spar_bench import data

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(data, "hub_reachable", lambda timeout_s=2.0: False)
    started = time.perf_counter()
    with pytest.raises(data.DatasetUnavailableError) as raised:
        data.load_dataset("someone/not-cached-spar-copy")
    assert time.perf_counter() - started < 10
    assert "hf download someone/not-cached-spar-copy --repo-type dataset" in str(raised.value)
    assert "huggingface-cli" not in str(raised.value)
