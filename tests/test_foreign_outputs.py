"""Other harnesses' outputs re-scored and verified like our own runs: VLMEvalKit `SparBench` prediction files
(.tsv, .xlsx; VLMEvalKit numbers rows itself, so they are matched to the dataset's ids) and lmms-eval samples
logs of the built-in `sparbench` task (0.6 shape restated, 0.7 written by lmms-eval 0.7.3's own code)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from test_samples_logs import ROW, builtin_07, builtin_metrics, line_06, log_07

from spar_bench.cli import main
from spar_bench.data import load_questions
from spar_bench.results.bundle import PrepareError
from spar_bench.results.prepare import prepare
from spar_bench.results.verify import verify
from spar_bench.scoring import PredictionsError, check_against_dataset, read_predictions
from spar_bench.vlmevalkit import ForeignFileError, read_vlmevalkit

COLUMNS = ["index", "question", "answer", "task", "img_type", "format_type", "source", "prediction"]


def synth_rows(respond=lambda q: q.answer) -> list[dict]:
    """The shipped synthetic questions as VLMEvalKit's SparBench TSV rows (without the image), shuffled and
    numbered from 0 in that order, the way a converted TSV need not follow the dataset's ids."""
    questions = load_questions("synth")
    random.Random(0).shuffle(questions)
    return [
        {
            "index": n,
            "question": q.question,
            "answer": q.answer,
            "task": q.task,
            "img_type": q.img_type,
            "format_type": q.format_type,
            "source": q.source,
            "prediction": respond(q),
        }
        for n, q in enumerate(questions)
    ]


def write_tsv(path: Path, rows: list[dict], columns=COLUMNS) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:  # as pandas' to_csv(sep="\t") quotes
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row.get(c) for c in columns] for row in rows)
    return path


def write_xlsx(path: Path, rows: list[dict]) -> Path:
    openpyxl = pytest.importorskip("openpyxl", reason="xlsx needs the vlmevalkit extra: pip install -e '.[vlmevalkit]'")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for row in rows:
        values = [row[c] for c in COLUMNS]
        if row["format_type"] == "fill" and row["task"] != "view_change_infer":
            values[COLUMNS.index("answer")] = float(row["answer"])  # a spreadsheet keeps numbers as numbers
        sheet.append(values)
    book.save(path)
    return path


def varied(q) -> str:
    """A response that is wrong for about a third of the questions, with a newline and a tab in some."""
    if len(q.question) % 3:  # by text: questions identical in task, text and answer get the same response
        return q.answer
    return "I think\tit is\nC" if q.format_type == "select" else "about 2 meters"


# ---------------------------------------------------------------- reading VLMEvalKit files


def test_a_tsv_file_is_read_row_by_row_with_tabs_and_newlines_kept(tmp_path):
    rows = synth_rows(varied)
    records = read_vlmevalkit(write_tsv(tmp_path / "m_SparBench.tsv", rows))
    assert len(records) == 200 and [r["id"] for r in records] == list(range(200))
    assert [r["prediction"] for r in records] == [r["prediction"] for r in rows]


def test_an_xlsx_file_reads_numeric_answers_back_as_text(tmp_path):
    rows = synth_rows()
    records = read_vlmevalkit(write_xlsx(tmp_path / "m_SparBench.xlsx", rows))
    numeric = [r["format_type"] == "fill" and r["task"] != "view_change_infer" for r in rows]
    assert all(isinstance(r["answer"], str) for r in records)
    assert [float(r["answer"]) if n else r["answer"] for r, n in zip(records, numeric)] == [
        float(r["answer"]) if n else r["answer"] for r, n in zip(rows, numeric)
    ]


def test_a_file_without_a_prediction_column_is_refused_naming_it(tmp_path):
    path = write_tsv(tmp_path / "x.tsv", synth_rows(), columns=COLUMNS[:-1])
    with pytest.raises(ForeignFileError, match="no column prediction"):
        read_vlmevalkit(path)


def test_category_names_the_task_when_there_is_no_task_column(tmp_path):
    rows = [dict(row, category=row["task"]) for row in synth_rows()]
    columns = [c if c != "task" else "category" for c in COLUMNS]
    assert [r["task"] for r in read_vlmevalkit(write_tsv(tmp_path / "x.tsv", rows, columns))] == [
        r["task"] for r in rows
    ]


# ---------------------------------------------------------------- matching to the dataset


def test_rows_are_matched_to_dataset_ids_by_their_text(tmp_path):
    rows = synth_rows()
    matched, check = check_against_dataset(read_predictions([write_tsv(tmp_path / "m.tsv", rows)]), "synth")
    questions = {q.id: q for q in load_questions("synth")}
    assert sorted(matched.ids) == sorted(questions)
    assert all(
        (questions[i].task, questions[i].question, questions[i].answer) == (r["task"], r["question"], r["answer"])
        for i, r in zip(matched.ids, rows)
    )
    assert check.complete and check.n == check.n_dataset == 200 and check.by_text > 150


def test_a_row_of_another_dataset_is_refused(tmp_path):
    rows = synth_rows()
    rows[5]["question"] += " (edited)"
    rows[5]["index"] = 10_000
    with pytest.raises(PredictionsError, match="match no question of the dataset synth.*10000"):
        check_against_dataset(read_predictions([write_tsv(tmp_path / "m.tsv", rows)]), "synth")


def test_score_with_data_gives_the_same_scores_as_our_own_jsonl(tmp_path, capsys):
    rows = synth_rows(varied)
    ours = tmp_path / "ours.jsonl"
    ours.write_text(
        "".join(
            json.dumps(
                {"id": q.id, "task": q.task, "question": q.question, "answer": q.answer, "prediction": varied(q)}
            )
            + "\n"
            for q in load_questions("synth")
        )
    )
    assert main(["score", str(ours), "--json", str(tmp_path / "ours.json")]) == 0
    for name, path in (("tsv", write_tsv(tmp_path / "m.tsv", rows)), ("xlsx", write_xlsx(tmp_path / "m.xlsx", rows))):
        assert main(["score", str(path), "--data", "synth", "--json", str(tmp_path / f"{name}.json")]) == 0
        assert "200 of 200 questions matched" in capsys.readouterr().out
        theirs, expected = (json.loads((tmp_path / f"{n}.json").read_text()) for n in (name, "ours"))
        for protocol in ("strict", "official"):
            assert {t: (round(b["score"], 9), b["n"]) for t, b in theirs[protocol]["tasks"].items()} == {
                t: (round(b["score"], 9), b["n"]) for t, b in expected[protocol]["tasks"].items()
            }  # order of summing
        assert theirs["dataset"]["complete"] is True


def test_compare_reads_a_vlmevalkit_file_as_the_run_it_holds(tmp_path, capsys):
    rows = synth_rows(varied)
    ours = tmp_path / "ours.jsonl"
    ours.write_text(
        "".join(
            json.dumps(
                {"id": q.id, "task": q.task, "question": q.question, "answer": q.answer, "prediction": varied(q)}
            )
            + "\n"
            for q in load_questions("synth")
        )
    )
    for path in (write_tsv(tmp_path / "m.tsv", rows), write_xlsx(tmp_path / "m.xlsx", rows)):
        out = tmp_path / f"{path.suffix[1:]}.md"
        assert main(["compare", str(ours), str(path), "--data", "synth", "--markdown", str(out)]) == 0
        table = out.read_text()
        assert "200" in table and "+0.00" in table and "-0." not in table  # the same answers: no difference


def test_score_with_data_exits_2_for_a_file_of_another_dataset(tmp_path, capsys):
    rows = synth_rows()
    answer = rows[0]["answer"]
    rows[0]["answer"] = ("A" if answer != "A" else "B") if rows[0]["format_type"] == "select" else "99.5"
    rows[0]["index"] = 10_000
    assert main(["score", str(write_tsv(tmp_path / "m.tsv", rows)), "--data", "synth"]) == 2
    assert "match no question of the dataset synth" in capsys.readouterr().err


# ---------------------------------------------------------------- bundles


def test_a_vlmevalkit_file_is_packed_and_verifies_like_our_runs(tmp_path):
    rows = synth_rows(varied)
    bundle = prepare(write_tsv(tmp_path / "m_SparBench.tsv", rows), "m", "org", tmp_path / "m.tar.gz", data="synth")
    verdict = verify(bundle)
    assert verdict.ok, verdict.reasons
    assert json.loads(json.dumps(verdict.entry))["n_questions"] == 200
    assert 0 < verdict.scores["strict"]["overall"] < 100


def test_packing_a_vlmevalkit_file_needs_the_dataset(tmp_path):
    with pytest.raises(PrepareError, match="--data"):
        prepare(write_tsv(tmp_path / "m.tsv", synth_rows()), "m", "org", tmp_path / "m.tar.gz")


def _builtin_06_folder(folder: Path, respond) -> Path:
    """An lmms-eval output folder with a 0.6-shaped samples log of the built-in `sparbench` task over synth."""
    folder.mkdir()
    lines = []
    for q in load_questions("synth"):
        doc = {
            "id": q.id,
            "img_type": q.img_type,
            "format_type": q.format_type,
            "task": q.task,
            "source": q.source,
            "question": q.question,
            "answer": q.answer,
        }
        lines.append(line_06(doc, builtin_metrics(doc, respond(q)), respond(q), respond(q)))
    (folder / "model_samples_sparbench.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def test_a_builtin_sparbench_06_log_is_packed_and_verifies(tmp_path):
    bundle = prepare(_builtin_06_folder(tmp_path / "lmms", varied), "m", "org", tmp_path / "m.tar.gz")
    verdict = verify(bundle, "synth")
    assert verdict.ok, verdict.reasons
    expected = tmp_path / "expected.jsonl"
    expected.write_text(
        "".join(
            json.dumps(
                {"id": q.id, "task": q.task, "question": q.question, "answer": q.answer, "prediction": varied(q)}
            )
            + "\n"
            for q in load_questions("synth")
        )
    )
    assert main(["score", str(expected), "--json", str(tmp_path / "s.json")]) == 0
    assert verdict.scores["strict"]["overall"] == json.loads((tmp_path / "s.json").read_text())["strict"]["overall"]


def test_a_builtin_sparbench_07_log_written_by_lmms_eval_is_packed(tmp_path):
    log_07(tmp_path / "lmms", ROW, "B", builtin_07)
    prepare(tmp_path / "lmms", "m", "org", tmp_path / "m.tar.gz")
    import tarfile

    with tarfile.open(tmp_path / "m.tar.gz") as tar:
        member = tar.extractfile("predictions.jsonl").read().decode()
    assert json.loads(member) == {
        "id": 4812,
        "task": ROW["task"],
        "answer": "B",
        "prediction": "B",
        "question": ROW["question"],
    }


def test_a_vlmevalkit_file_is_explored_under_the_dataset_ids(tmp_path):
    from spar_bench.results.explore import question_table, read_run

    explored = read_run(write_tsv(tmp_path / "model_SparBench.tsv", synth_rows(varied)), "synth")
    assert explored.label == "model" and explored.kind == "VLMEvalKit"
    table = question_table([explored], "synth")
    assert sorted(table.ids) == sorted(q.id for q in load_questions("synth")) and all(table.images)
