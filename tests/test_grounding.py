import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import REPO

from spar_bench.cli import main
from spar_bench.data import load_questions
from spar_bench.grounding import score_grounding
from spar_bench.lmms.tasks import process_results, process_results_grounding
from spar_bench.predictions import PredictionsError, read_predictions
from spar_bench.results.compare import compare, load_side
from spar_bench.results.prepare import prepare_bundle
from spar_bench.results.run_reader import read_run_folder
from spar_bench.results.verify import verify
from spar_bench.tasks_spec import GROUNDING_TASK

REFERENCE = "[0.0, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]"


def test_exact_box_scores_iou_1():
    (score,) = score_grounding(["[0, 0.5, 3, 1, 1, 1, 0]"], [REFERENCE])
    assert score.iou == pytest.approx(1.0) and score.parsed == [0.0, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]


def test_half_shifted_box_scores_one_third():
    (score,) = score_grounding(["The box is [0.5, 0.5, 3.0, 1.0, 1.0, 1.0, 0.0]."], [REFERENCE])
    assert score.iou == pytest.approx(1 / 3)


def test_box_after_reasoning_is_the_stated_one():
    (score,) = score_grounding(["<think>[9, 9, 9, 1, 1, 1, 0]</think>[0, 0.5, 3, 1, 1, 1, 0]"], [REFERENCE])
    assert score.iou == pytest.approx(1.0)


def test_unreadable_box_scores_0_and_says_why():
    (score,) = score_grounding(["somewhere near the wall"], [REFERENCE])
    assert score.iou == 0.0 and score.parsed is None and "no box" in score.unparsed_reason


def test_malformed_reference_is_an_error():
    with pytest.raises(ValueError, match="reference box"):
        score_grounding(["[0, 0, 0, 1, 1, 1, 0]"], ["[1, 2]"])


# ---------------------------------------------------------------- a run folder with SPAR and 3D grounding samples
# An lmms-eval output folder of `--tasks spar_bench_synth,spar_bench_synth_3d --log_samples`: every command reads
# the grounding samples apart from the 20 tasks, the same way (score and compare score them as their own block,
# submit prepare and explore say they leave them out).


def write_both_logs(folder: Path, boxes: dict[int, str] | None = None) -> Path:
    """The folder as lmms-eval leaves it, lines built by our tasks' process_results (the oracle's answers, and
    the grounding responses `boxes` gives by id, the reference box otherwise)."""
    folder.mkdir(parents=True)
    by_log: dict[str, list[str]] = {}
    for k, q in enumerate(load_questions("synth")):
        doc = {"id": q.id, "task": q.task, "question": q.question, "answer": q.answer}
        line = {"doc_id": k, "target": q.answer, "filtered_resps": q.answer, **process_results(doc, [q.answer])}
        by_log.setdefault(f"spar_bench_synth_{q.task}", []).append(json.dumps(line))
    rows = pq.read_table(REPO / "tasks" / "data" / "spar_bench_synth_3d.parquet", columns=["id", "task", "answer"])
    for k, row in enumerate(rows.to_pylist()):
        response = (boxes or {}).get(row["id"], row["answer"])
        line = {"doc_id": k, "target": row["answer"], "filtered_resps": response}
        by_log.setdefault("spar_bench_synth_3d", []).append(
            json.dumps({**line, **process_results_grounding(row, [response])})
        )
    for name, lines in by_log.items():
        (folder / f"20250101_120000_samples_{name}.jsonl").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture(scope="module")
def both_logs(tmp_path_factory) -> Path:
    return write_both_logs(tmp_path_factory.mktemp("lmms") / "oracle")


def grounding_log(folder: Path) -> Path:
    return next(folder.glob("*_samples_spar_bench_synth_3d.jsonl"))


def test_the_reader_keeps_grounding_samples_apart_from_the_20_tasks(both_logs):
    run = read_run_folder(both_logs)
    assert run.kind == "lmms-eval" and len(run.predictions) == 200 and GROUNDING_TASK not in run.predictions.tasks
    assert len(run.grounding) == 10 and run.grounding.files == [str(grounding_log(both_logs))]


def test_score_scores_grounding_samples_as_their_own_block(both_logs, tmp_path, capsys):
    summary = tmp_path / "summary.json"
    logs = sorted(str(p) for p in both_logs.glob("*_samples_*.jsonl"))
    assert main(["score", *logs, "--json", str(summary)]) == 0
    out = capsys.readouterr().out
    assert "3D grounding: 10 samples" in out and "SPAR-Bench: 200 predictions" in out
    document = json.loads(summary.read_text())
    assert document["grounding"]["n"] == 10 and document["grounding"]["acc_50"] == pytest.approx(100.0)
    assert document["strict"]["n_scored"] == 200


def test_score_reads_a_grounding_log_alone(both_logs, capsys):
    assert main(["score", str(grounding_log(both_logs))]) == 0
    assert "3D grounding: 10 samples" in capsys.readouterr().out


def test_a_malformed_grounding_line_names_its_file_line_and_field(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(
        json.dumps({"spar_sample": {"id": 0, "task": GROUNDING_TASK, "answer": "[1, 2]", "prediction": ""}})
    )
    with pytest.raises(PredictionsError, match=f"{path}:1: field 'answer'"):
        read_predictions([path])


def test_compare_compares_grounding_in_its_own_rows(both_logs, tmp_path, capsys):
    worse = write_both_logs(tmp_path / "shifted", dict.fromkeys(range(5), "[9, 9, 9, 1, 1, 1, 0]"))
    assert main(["compare", str(both_logs), str(worse)]) == 0
    out = capsys.readouterr().out
    assert "grounding mean IoU" in out and "grounding Acc@0.5" in out and "10 shared sample(s)" in out
    result = compare(load_side(both_logs), load_side(worse))
    (iou, acc_25, acc_50) = result.grounding
    assert acc_50.base == pytest.approx(100.0) and acc_50.new == pytest.approx(50.0) and acc_50.verdict == "worse"
    assert all(row.delta == 0 for row in result.rows)  # the 20 tasks are unchanged


def test_submit_prepare_says_it_leaves_grounding_out(both_logs, tmp_path, capsys):
    out = tmp_path / "b.tar.gz"
    assert main(["submit", "prepare", str(both_logs), "--model-name", "m", "--org", "o", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "10 3D grounding sample(s) (obj_3d_grounding" in err and "left out" in err
    assert verify(out, "synth").ok and prepare_bundle(both_logs, "m", "o", tmp_path / "c.tar.gz").left_out


def test_explore_says_it_leaves_grounding_out(both_logs, tmp_path, capsys):
    assert main(["explore", str(both_logs), "--out", str(tmp_path / "site"), "--data", "synth"]) == 0
    err = capsys.readouterr().err
    assert "10 3D grounding sample(s) (obj_3d_grounding) left out" in err
    assert (tmp_path / "site" / "index.html").is_file()


def test_an_lmms_eval_run_of_both_task_sets_goes_through_every_command(tmp_path, capsys):
    pytest.importorskip("lmms_eval", reason="the lmms extra is not installed: pip install -e '.[lmms]'")
    folder = tmp_path / "lmms"
    tasks = "spar_bench_synth,spar_bench_synth_3d"
    argv = ["lmms-eval", "--model", "spar_oracle", "--tasks", tasks, "--log_samples", "--output_path", str(folder)]
    # A subprocess, as users start it: importing lmms-eval changes PIL's settings for the rest of a process.
    done = subprocess.run([sys.executable, "-m", "spar_bench", *argv], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    logs = sorted(str(p) for p in folder.rglob("*_samples_*.jsonl"))
    assert main(["score", *logs]) == 0 and "3D grounding" in capsys.readouterr().out
    assert main(["compare", str(folder), str(folder)]) == 0 and "grounding mean IoU" in capsys.readouterr().out
    bundle = str(tmp_path / "b.tar.gz")
    assert main(["submit", "prepare", str(folder), "--model-name", "m", "--org", "o", "--out", bundle]) == 0
    assert "left out" in capsys.readouterr().err
    assert main(["explore", str(folder), "--out", str(tmp_path / "site")]) == 0
    assert "left out" in capsys.readouterr().err
