"""The leaderboard: entries (validation, writing, loading), the generated table, CSV and page, and that the
committed files are what the build writes."""

from __future__ import annotations

import copy
import csv
import json
import re
import subprocess
import sys

import pytest
from conftest import REPO

from spar_bench.cli.leaderboard import main
from spar_bench.results.build import build
from spar_bench.results.entry import BuildError, EntryError, LeaderboardError, ReportedTableError, model_slug
from spar_bench.results.entry_check import validate_entry
from spar_bench.results.entry_files import entry_from_run, load_entries, sha256_file, write_entry
from spar_bench.results.page import render_html, script_json
from spar_bench.results.render import markdown_text, render_markdown
from spar_bench.results.rows import read_reported, rows_from_entry
from spar_bench.results.tables import Table, reproductions, tables
from spar_bench.runner import run
from spar_bench.tasks_spec import LEVELS, TASK_IDS, TASKS, tasks_in

LEADERBOARD = REPO / "leaderboard"
ENTRIES = LEADERBOARD / "entries"
REPORTED = LEADERBOARD / "reported" / "paper_table4.csv"
HOSTILE = "<script>window.__pwned=1</script> | *x* `y` [z](http://e) =1+1"


@pytest.fixture
def entry() -> dict:
    """A valid entry: the committed frequency baseline, deep-copied so a test may break it."""
    return copy.deepcopy(json.loads((ENTRIES / "spar-frequency__synth.json").read_text()))


def problems_of(entry: dict) -> str:
    return " | ".join(validate_entry(entry))


def paper_header() -> list[str]:
    """The expected score columns, from the task table, independently of the leaderboard module."""
    columns = ["Avg"]
    for level in LEVELS:
        columns += [level.value.capitalize(), *(t.paper_column for t in TASKS if t.level is level)]
    return columns


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Every table of a markdown text as rows of cells (header first, separator dropped); a `\\|` stays
    inside its cell."""
    tables, current = [], None
    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if current is None:
                current = []
                tables.append(current)
            if not all(set(c) <= set("-:") for c in cells):
                current.append(cells)
        else:
            current = None
    return tables


# --- entries -----------------------------------------------------------------------------------------


def test_committed_entries_are_valid_and_named_after_their_model_and_split():
    entries = load_entries(ENTRIES)
    assert sorted(e["model"]["name"] for e in entries) == ["spar_frequency", "spar_oracle", "spar_random"]
    assert {e["dataset"]["split"] for e in entries} == {"synth"}


def test_entry_from_run_records_the_run_and_hashes_its_predictions(tmp_path):
    run(model="spar_frequency", model_args={}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    made = entry_from_run(results, tmp_path / "predictions.jsonl", "Frequency", "Org")
    assert validate_entry(made) == []
    assert made["dataset"] == {
        "split": "synth",
        "source": "synth",
        "fingerprint": results["metadata"]["dataset_fingerprint"],
    }
    assert made["predictions_sha256"] == sha256_file(tmp_path / "predictions.jsonl")
    assert made["date"] == results["metadata"]["date"][:10]
    assert made["scores"]["strict"] == results["protocols"]["strict"]
    assert made["image_limits"] == {} and made["model"]["adapter"] == "spar_frequency"


def test_entry_from_run_of_other_data_is_split_custom_and_its_fingerprint(tmp_path):
    run(model="spar_oracle", model_args={}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    results["metadata"]["data_source"] = "/data/my_copy.parquet"
    results["metadata"]["adapter"] = {"adapter": "hf", "max_pixels": 1003520, "min_pixels": None}
    made = entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O")
    fingerprint = results["metadata"]["dataset_fingerprint"]
    assert (
        made["dataset"]["split"] == f"custom-{fingerprint[:8]}" and made["dataset"]["source"] == "/data/my_copy.parquet"
    )
    assert made["image_limits"] == {"max_pixels": 1003520}


@pytest.mark.parametrize("source", ["tiny-rgbd", "full-rgbd"])
def test_entry_from_run_on_a_named_source_keeps_its_name_as_the_split(tmp_path, source):
    # The split `submit verify` gives a bundle of the same run: one list of named sources for both.
    from spar_bench.data import NAMED_SOURCES

    run(model="spar_oracle", model_args={}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    results["metadata"]["data_source"] = source
    made = entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O")
    assert source in NAMED_SOURCES and made["dataset"]["split"] == source and validate_entry(made) == []


def test_entry_from_run_fills_the_variant_the_run_records(tmp_path):
    run(model="spar_oracle", model_args={}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    made = entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O")
    assert made["variant"] == {
        "max_new_tokens": 100,
        "thinking": None,
        "engine": "baseline",
        "model_revision": None,
        "precision": None,
        "trained_on_spar7m": None,
        "dataset_revision": None,
    }
    results["metadata"]["adapter"] = {"adapter": "hf", "commit": "abc123", "revision": "main", "dtype": "bfloat16"}
    results["metadata"]["generation_settings"]["max_new_tokens"] = 512
    made = entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O", trained_on_spar7m=True)
    assert made["variant"] == {
        "max_new_tokens": 512,
        "thinking": None,
        "engine": "hf",
        "model_revision": "abc123",
        "precision": "bfloat16",
        "trained_on_spar7m": True,
        "dataset_revision": None,
    }


def test_entry_from_run_reads_thinking_from_the_chat_template_switch(tmp_path):
    run(model="spar_oracle", model_args={}, tasks=["spar_bench_synth"], output=tmp_path, show_progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    results["metadata"]["adapter"] = {
        "adapter": "openai_server",
        "model": "m",
        "extra_body": {"chat_template_kwargs": {"enable_thinking": False}},
    }
    assert entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O")["variant"]["thinking"] is False


def test_entry_from_run_refuses_a_run_over_some_tasks_only(tmp_path):
    run(
        model="spar_oracle",
        model_args={},
        tasks=["spar_bench_synth_position_matching"],
        output=tmp_path,
        show_progress=False,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    with pytest.raises(EntryError, match="covers 1 of 20 tasks"):
        entry_from_run(results, tmp_path / "predictions.jsonl", "M", "O")


def _set(path: str, value):
    def change(entry):
        *parents, last = path.split(".")
        target = entry
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _delete(path: str):
    def change(entry):
        *parents, last = path.split(".")
        target = entry
        for key in parents:
            target = target[key]
        del target[last]

    return change


REJECTIONS = {
    "missing_field": (_delete("predictions_sha256"), "missing field(s) predictions_sha256"),
    "unknown_field": (_set("claimed_rank", 1), "unknown field(s) 'claimed_rank'"),
    "schema_version": (_set("schema_version", 2), "schema_version is 2"),
    "empty_model_name": (_set("model.name", "  "), "model.name is empty"),
    "line_break_in_name": (_set("model.name", "a\nb"), "model.name contains a control character"),
    "overlong_name": (_set("model.name", "m" * 201), "model.name is longer than 200"),
    "organisation_not_text": (_set("model.organisation", 3), "model.organisation must be a string"),
    "model_args_not_strings": (_set("model.model_args", {"seed": 1}), "model.model_args must map strings"),
    "unknown_model_field": (_set("model.homepage", "x"), "model has unknown field(s) 'homepage'"),
    "split_escapes_folder": (_set("dataset.split", "../x"), "dataset.split '../x' must be"),
    "split_upper_case": (_set("dataset.split", "Full"), "dataset.split 'Full' must be"),
    "split_double_underscore": (_set("dataset.split", "a__b"), "dataset.split 'a__b' must be"),
    "fingerprint_not_hex": (_set("dataset.fingerprint", "z" * 64), "dataset.fingerprint must be 64"),
    "predictions_hash_short": (_set("predictions_sha256", "ab" * 16), "predictions_sha256 must be 64"),
    "impossible_date": (_set("date", "2025-13-01"), "date '2025-13-01' must be a calendar date"),
    "date_with_time": (_set("date", "2025-01-01T00:00:00Z"), "must be a calendar date"),
    "n_questions_zero": (_set("n_questions", 0), "n_questions must be a positive integer"),
    "n_questions_bool": (_set("n_questions", True), "n_questions must be a positive integer"),
    "claims_reported": (_set("reported", True), "reported must be false"),
    "one_protocol_only": (_delete("scores.official"), "scores must hold exactly the protocols"),
    "block_of_other_protocol": (_set("scores.strict.protocol", "official"), "scores.strict.protocol is 'official'"),
    "task_missing": (_delete("scores.strict.tasks.view_change_infer"), "covers 19 of 20 tasks"),
    "unknown_task": (_set("scores.strict.tasks.depth_prediction_ocx", {}), "unknown task(s) 'depth_prediction_ocx'"),
    "score_above_100": (_set("scores.strict.tasks.position_matching.score", 101.0), "is outside 0-100"),
    "score_not_finite": (_set("scores.official.overall", float("nan")), "overall must be a finite number"),
    "interval_reversed": (_set("scores.strict.overall_ci95", [40.0, 30.0]), "is not an interval"),
    "interval_missing": (_set("scores.strict.tasks.position_matching.ci95", None), "ci95 must be a [low, high]"),
    "level_missing": (_delete("scores.strict.levels.medium"), "levels must have exactly low, medium, high"),
    "view_missing": (_delete("scores.strict.views_ci95.multi_view"), "views_ci95 must have exactly"),
    "task_count_not_positive": (_set("scores.strict.tasks.position_matching.n", 0), ".n must be a positive integer"),
    "headline_not_mean_of_tasks": (_set("scores.strict.overall", 99.0), "but the mean of its task scores is"),
    "level_not_mean_of_tasks": (_set("scores.official.levels.high", 1.0), "levels.high = 1.0 but the mean"),
    "questions_not_all_scored": (_set("n_questions", 201), "scored 200 questions but n_questions is 201"),
    "scorer_version_differs": (_set("scores.strict.scorer_version", "strict-0"), "differs from the entry's"),
    "variant_not_an_object": (_set("variant", []), "variant must be an object"),
    "variant_unknown_field": (_set("variant", {"temperature": 0}), "variant has unknown field(s) 'temperature'"),
    "variant_tokens_not_positive": (_set("variant", {"max_new_tokens": 0}), "variant.max_new_tokens must be"),
    "variant_thinking_not_bool": (_set("variant", {"thinking": "yes"}), "variant.thinking must be true, false"),
    "variant_engine_line_break": (_set("variant", {"engine": "a\nb"}), "variant.engine contains a control"),
    "parse_failure_rate_out_of_range": (
        _set("scores.strict.tasks.position_matching.parse_failure_rate", -1.0),
        "parse_failure_rate = -1.0 is outside 0-100",
    ),
}


@pytest.mark.parametrize("case", list(REJECTIONS), ids=list(REJECTIONS))
def test_entry_is_rejected(entry, case):
    change, expected = REJECTIONS[case]
    change(entry)
    assert expected in problems_of(entry)


def test_entry_that_is_not_an_object_is_rejected():
    assert validate_entry([1, 2]) == ["an entry must be a JSON object, got list"]


def test_valid_entry_has_no_problem(entry):
    assert validate_entry(entry) == []


def test_write_entry_names_the_file_after_model_and_split_and_reads_back(entry, tmp_path):
    entry["model"]["name"] = "Qwen2.5-VL-7B (ours)"
    path = write_entry(entry, tmp_path)
    assert path == tmp_path / "qwen2.5-vl-7b-ours__synth.json"
    assert load_entries(tmp_path) == [entry]


def test_write_entry_keeps_a_hostile_name_inside_the_folder(entry, tmp_path):
    entry["model"]["name"] = "../../etc/passwd"
    path = write_entry(entry, tmp_path / "entries")
    assert path.parent == tmp_path / "entries" and path.name == "etc-passwd__synth.json"


def test_write_entry_refuses_a_symlink_that_leads_outside(entry, tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "spar-frequency__synth.json").symlink_to(tmp_path / "outside.json")
    with pytest.raises(LeaderboardError, match="escape the entries folder"):
        write_entry(entry, tmp_path / "entries", overwrite=True)
    assert not (tmp_path / "outside.json").exists()


def test_write_entry_refuses_an_invalid_entry(entry, tmp_path):
    entry["dataset"]["split"] = "../../x"
    with pytest.raises(EntryError, match="dataset.split"):
        write_entry(entry, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_write_entry_does_not_replace_an_entry_unless_told(entry, tmp_path):
    write_entry(entry, tmp_path)
    with pytest.raises(FileExistsError):
        write_entry(entry, tmp_path)
    write_entry(entry, tmp_path, overwrite=True)


def test_load_entries_rejects_a_file_named_for_another_model(entry, tmp_path):
    (tmp_path / "someone-else__synth.json").write_text(json.dumps(entry))
    with pytest.raises(EntryError, match="file name should be spar-frequency__synth.json"):
        load_entries(tmp_path)


def test_load_entries_rejects_invalid_json_naming_the_file(tmp_path):
    (tmp_path / "x__synth.json").write_text("{not json")
    with pytest.raises(EntryError, match=r"x__synth.json: not valid JSON"):
        load_entries(tmp_path)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Qwen2.5-VL-7B", "qwen2.5-vl-7b"),
        ("spar_oracle", "spar-oracle"),
        ("..hidden..", "hidden"),
        ("GPT 4o / mini", "gpt-4o-mini"),
    ],
)
def test_model_slug(name, slug):
    assert model_slug(name) == slug


def test_model_slug_refuses_a_name_without_letters_or_digits():
    with pytest.raises(LeaderboardError, match="no letters or digits"):
        model_slug("../..")


# --- the generated files -----------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path, entry):
    """A build of the committed entries plus a hostile-named one on its own split, with the reported rows."""
    entries = tmp_path / "entries"
    for path in ENTRIES.glob("*.json"):
        (entries / path.name).parent.mkdir(exist_ok=True)
        (entries / path.name).write_text(path.read_text())
    entry["model"]["name"] = HOSTILE
    entry["model"]["organisation"] = "<b>Org</b>"
    write_entry(entry, entries)
    build(entries, REPORTED, tmp_path / "out", plots=False)
    return tmp_path / "out"


def test_markdown_columns_follow_the_paper(built):
    expected = ["Rank", "Model", "Org", "Split", "Protocol", "Revision", "Source", *paper_header()]
    tables = markdown_tables((built / "LEADERBOARD.md").read_text())
    assert tables and all(table[0] == expected for table in tables)


def test_markdown_columns_match_the_paper_csv_order():
    paper_columns = next(csv.reader(REPORTED.open()))[2:]
    labels = {
        "avg": "Avg",
        "low": "Low",
        "medium": "Medium",
        "high": "High",
        **{t.task_id: t.paper_column for t in TASKS},
    }
    assert [labels[c] for c in paper_columns] == paper_header()


def test_each_table_holds_one_split_and_one_protocol(built):
    tables = markdown_tables((built / "LEADERBOARD.md").read_text())
    keys = []
    for table in tables:
        rows = table[1:]
        assert len({row[3] for row in rows}) == 1 and len({row[4] for row in rows}) == 1
        keys.append((rows[0][3], rows[0][4]))
    assert len(keys) == len(set(keys))
    assert {("tiny", "paper"), ("full", "paper"), ("synth", "strict"), ("synth", "official")} <= set(keys)


def test_tables_are_ranked_by_avg(built):
    for table in markdown_tables((built / "LEADERBOARD.md").read_text()):
        avgs = [float(row[7].split()[0]) for row in table[1:]]
        assert avgs == sorted(avgs, reverse=True)


def test_every_reported_row_is_present_and_marked(built):
    paper = list(csv.DictReader(REPORTED.open()))
    text = (built / "LEADERBOARD.md").read_text()
    for row in paper:
        marks = " _(reported)_" + (" _(baseline)_" if row["model"] in ("Human", "Chance (Frequency)") else "")
        assert (
            f" | {markdown_text(row['model'])}{marks} | - | {row['split']} | paper | - | "
            f"the paper, arXiv 2503.22976, Table 4 | {float(row['avg']):.2f} |"
        ) in text
    assert "Human _(reported)_" in text and r"Chance \(Frequency\)" not in text
    assert "Chance (Frequency) _(reported)_" in text
    rows = list(csv.DictReader((built / "leaderboard.csv").open()))
    reported = [r for r in rows if r["reported"] == "true"]
    assert {(r["model"], r["split"]) for r in reported} == {(r["model"], r["split"]) for r in paper}
    assert {r["protocol"] for r in reported} == {"paper"}
    assert all(r["reported"] == "false" for r in rows if r["protocol"] != "paper")


def test_reported_numbers_are_the_papers_own(built):
    rows = {r["model"]: r for r in csv.DictReader((built / "leaderboard.csv").open())}
    assert rows["LLaVA-OV-7B"]["avg"] == "31.2000"  # the paper's Avg, though its task columns give 30.70
    assert rows["Human"]["split"] == "tiny" and rows["Human"]["avg_ci95_low"] == ""


def test_csv_has_one_row_per_entry_and_protocol_plus_reported(built):
    rows = list(csv.DictReader((built / "leaderboard.csv").open()))
    measured = [r for r in rows if r["reported"] == "false"]
    assert len(measured) == 4 * 2 and len(rows) == 8 + 18
    assert {r["baseline"] for r in measured if r["organisation"] == "spar-bench baseline"} == {"true"}
    oracle = next(r for r in measured if r["model"] == "spar_oracle" and r["protocol"] == "strict")
    assert oracle["avg"] == "100.0000" and oracle["n_questions"] == "200" and oracle["split"] == "synth"


def test_hostile_name_is_text_in_the_markdown(built):
    text = (built / "LEADERBOARD.md").read_text()
    assert "<script>" not in text and "<b>" not in text
    assert "&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt; \\| \\*x\\* \\`y\\` \\[z\\](http://e) =1+1" in text
    hostile_rows = [row for table in markdown_tables(text) for row in table if "pwned" in row[1]]
    assert len(hostile_rows) == 2 and all(len(row) == 7 + 24 for row in hostile_rows)


def test_hostile_name_is_text_in_the_csv(built):
    rows = list(csv.DictReader((built / "leaderboard.csv").open()))
    assert sum(r["model"] == HOSTILE for r in rows) == 2


def test_csv_cell_cannot_start_a_formula(entry, tmp_path):
    entry["model"]["name"] = '=HYPERLINK("http://e")'
    write_entry(entry, tmp_path / "e")
    build(tmp_path / "e", None, tmp_path / "out", plots=False)
    rows = list(csv.DictReader((tmp_path / "out" / "leaderboard.csv").open()))
    assert rows[0]["model"] == '\'=HYPERLINK("http://e")'


def test_hostile_name_cannot_leave_the_pages_data_block(built):
    page = (built / "site" / "index.html").read_text()
    assert page.count("</script>") == 2 and page.count("<script") == 2  # the data block and the program
    assert "<script>window" not in page and "<b>Org" not in page
    data = re.search(r'<script type="application/json" id="leaderboard-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert HOSTILE in [row["model"] for table in json.loads(data)["tables"] for row in table["rows"]]


def test_script_json_escapes_everything_that_could_close_the_block():
    text = script_json({"a": "</script><!--&\u2028"})
    assert not set("<>&") & set(text) and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!--&\u2028"}


def test_page_loads_nothing_from_the_network(built):
    page = (built / "site" / "index.html").read_text()
    assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page


def test_page_without_entries_still_renders(tmp_path):
    assert "leaderboard-data" in render_html(read_reported(REPORTED))


def test_build_refuses_one_split_on_two_datasets(entry, tmp_path):
    write_entry(entry, tmp_path)
    other = copy.deepcopy(entry)
    other["model"]["name"] = "other"
    other["dataset"]["fingerprint"] = "0" * 64
    write_entry(other, tmp_path)
    with pytest.raises(BuildError, match="different datasets"):
        build(tmp_path, None, tmp_path / "out", plots=False)


def test_reported_table_with_a_bad_cell_is_refused(tmp_path):
    lines = REPORTED.read_text().splitlines()
    lines[3] = lines[3].replace("36.39", "n/a", 1)
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ReportedTableError, match="line 4: avg 'n/a' is not a number"):
        read_reported(tmp_path / "t.csv")


def test_build_command_lists_every_problem_of_a_bad_entry(entry, tmp_path, capsys):
    del entry["date"]
    entry["n_questions"] = -1
    (tmp_path / "spar-frequency__synth.json").write_text(json.dumps(entry))
    assert main(["--entries", str(tmp_path), "--out", str(tmp_path / "out"), "--no-plots"]) == 2
    err = capsys.readouterr().err
    assert "missing field(s) date" in err and "n_questions must be a positive integer" in err


def test_build_command_writes_the_leaderboard(tmp_path, capsys):
    assert main(["--entries", str(ENTRIES), "--reported", str(REPORTED), "--out", str(tmp_path), "--no-plots"]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"LEADERBOARD.md", "leaderboard.csv", "site"}
    assert "3 entries and 18 reported rows" in capsys.readouterr().out


def test_the_0_2_import_path_and_module_command_keep_working(tmp_path):
    from spar_bench import leaderboard

    assert leaderboard.write_entry is write_entry and leaderboard.load_entries is load_entries
    assert leaderboard.entry_from_run is entry_from_run and leaderboard.LeaderboardError is LeaderboardError
    command = [sys.executable, "-m", "spar_bench.leaderboard", "--entries", str(ENTRIES), "--reported", str(REPORTED)]
    result = subprocess.run([*command, "--out", str(tmp_path), "--no-plots"], capture_output=True, text=True)
    assert result.returncode == 0 and "3 entries and 18 reported rows" in result.stdout


def test_entry_without_a_variant_block_loads_with_every_field_unknown(entry, tmp_path):
    entry.pop("variant", None)
    write_entry(entry, tmp_path)
    (loaded,) = load_entries(tmp_path)
    assert all(value is None for value in rows_from_entry(loaded)[0].variant.values())


def _model_entry(entry: dict, name: str, **variant) -> dict:
    made = copy.deepcopy(entry)
    made["model"].update(name=name, organisation="Lab", adapter="spar_hf")
    made["variant"] = {**made.get("variant", {}), "engine": "hf", **variant}
    return made


def test_rows_of_different_variants_are_ranked_in_different_tables(entry):
    short = _model_entry(entry, "Short", max_new_tokens=100)
    long = _model_entry(entry, "Long", max_new_tokens=4096, thinking=True)
    rows = [r for e in (entry, short, long) for r in rows_from_entry(e) if r.protocol == "strict"]
    made = tables(rows)
    assert [sorted(r.model for r in t.rows) for t in made] == [["Short", "spar_frequency"], ["Long", "spar_frequency"]]
    assert all(t.differs == ("max_new_tokens", "thinking") for t in made)
    assert made[1].heading() == "split synth, protocol strict, max new tokens 4096, thinking on"
    assert [t.ranks()[[r.model for r in t.rows].index("spar_frequency")] for t in made] == [None, None]


def test_unknown_is_a_variant_of_its_own(entry):
    known = _model_entry(entry, "Known", precision="bfloat16")
    unknown = _model_entry(entry, "Unknown", precision=None)
    rows = [r for e in (known, unknown) for r in rows_from_entry(e) if r.protocol == "strict"]
    assert [[r.model for r in t.rows] for t in tables(rows)] == [["Known"], ["Unknown"]]


def test_rank_skips_baselines_and_ties_share_a_rank(entry):
    rows = [
        r
        for e in (entry, _model_entry(entry, "A"), _model_entry(entry, "B"))
        for r in rows_from_entry(e)
        if r.protocol == "strict"
    ]
    (table,) = tables(rows)
    assert isinstance(table, Table) and [r.baseline for r in table.rows].count(True) == 1
    assert sorted(table.ranks(), key=lambda r: (r is None, r)) == [1, 1, None]


def test_variant_tables_are_headed_and_listed_in_the_markdown_and_csv(entry, tmp_path):
    write_entry(_model_entry(entry, "Short", max_new_tokens=100), tmp_path / "e")
    write_entry(_model_entry(entry, "Long", max_new_tokens=4096, trained_on_spar7m=True), tmp_path / "e")
    build(tmp_path / "e", None, tmp_path / "out", plots=False)
    text = (tmp_path / "out" / "LEADERBOARD.md").read_text()
    assert "## Split synth, protocol strict, max new tokens 4096, trained on SPAR-7M yes" in text
    assert "## Split synth, protocol strict, max new tokens 100, trained on SPAR-7M unknown" in text
    rows = list(csv.DictReader((tmp_path / "out" / "leaderboard.csv").open()))
    long = next(r for r in rows if r["model"] == "Long" and r["protocol"] == "strict")
    assert long["max_new_tokens"] == "4096" and long["trained_on_spar7m"] == "true" and long["rank"] == "1"
    assert long["thinking"] == ""


def test_reported_rows_carry_their_source_and_the_papers_baselines_are_not_ranked(built):
    rows = [r for r in csv.DictReader((built / "leaderboard.csv").open()) if r["reported"] == "true"]
    assert {r["source"] for r in rows} == {"the paper, arXiv 2503.22976, Table 4"}
    assert {r["model"] for r in rows if r["baseline"] == "true"} == {"Human", "Chance (Frequency)"}
    assert all(r["rank"] == "" for r in rows if r["baseline"] == "true")
    assert next(r for r in rows if r["model"] == "InternVL2.5-8B")["rank"] == "1"


def _public_and_synthetic(entry: dict, folder, *, tiny_variant: dict | None = None) -> tuple[dict, dict]:
    """Model "M" on synth (the frequency baseline's scores) and on tiny (the random baseline's), as entries."""
    synthetic = _model_entry(entry, "M")
    public = _model_entry(json.loads((ENTRIES / "spar-random__synth.json").read_text()), "M", **(tiny_variant or {}))
    public["dataset"].update(split="tiny", source="tiny", fingerprint="1" * 64)
    write_entry(synthetic, folder)
    write_entry(public, folder)
    return public, synthetic


def test_public_and_synthetic_scores_of_one_model_are_shown_with_their_difference(entry, tmp_path):
    public, synthetic = _public_and_synthetic(entry, tmp_path / "e")
    build(tmp_path / "e", None, tmp_path / "out", plots=False)
    text = (tmp_path / "out" / "LEADERBOARD.md").read_text()
    assert "## Public set and a fresh synthetic seed" in text and "nothing here proves contamination" in text
    p_avg, s_avg = public["scores"]["strict"]["overall"], synthetic["scores"]["strict"]["overall"]
    assert f"| M | strict | tiny | {p_avg:.2f} | synth | {s_avg:.2f} | {s_avg - p_avg:+.2f} |" in text
    page = (tmp_path / "out" / "site" / "index.html").read_text()
    data = json.loads(re.search(r'id="leaderboard-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert [(c["protocol"], round(c["difference"], 6)) for c in data["contamination"]] == [
        ("strict", round(s_avg - p_avg, 6)),
        ("official", round(synthetic["scores"]["official"]["overall"] - public["scores"]["official"]["overall"], 6)),
    ]


def test_public_and_synthetic_scores_of_different_variants_are_not_paired(entry, tmp_path):
    _public_and_synthetic(entry, tmp_path / "e", tiny_variant={"max_new_tokens": 4096})
    build(tmp_path / "e", None, tmp_path / "out", plots=False)
    assert "Public set and a fresh synthetic seed" not in (tmp_path / "out" / "LEADERBOARD.md").read_text()


def test_no_public_synthetic_section_without_a_pair():
    assert "Public set and a fresh synthetic seed" not in (LEADERBOARD / "LEADERBOARD.md").read_text()


def test_rows_of_an_entry_carry_both_protocols(entry):
    rows = rows_from_entry(entry)
    assert [r.protocol for r in rows] == ["strict", "official"]
    assert set(rows[0].scores) == {"avg", "low", "medium", "high", *TASK_IDS}
    assert rows[0].scores["medium"] == pytest.approx(sum(rows[0].scores[t] for t in tasks_in(LEVELS[1])) / 3)


# --- the committed leaderboard -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["LEADERBOARD.md", "leaderboard.csv", "site/index.html"])
def test_committed_leaderboard_is_current(tmp_path, name):
    """Regenerate with `spar-bench leaderboard build` (or scripts/make_leaderboard_entries.py) when this fails."""
    build(ENTRIES, REPORTED, tmp_path, plots=False)
    assert (LEADERBOARD / name).read_text() == (tmp_path / name).read_text(), (
        f"leaderboard/{name} is stale: run `spar-bench leaderboard build`"
    )


def test_every_plot_the_markdown_shows_is_committed():
    text = (LEADERBOARD / "LEADERBOARD.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\((plots/[^)]+)\)", text)
    assert len(images) == 4 and all((LEADERBOARD / image).is_file() for image in images)


def test_plots_are_byte_identical_when_rebuilt(tmp_path):
    pytest.importorskip("matplotlib", reason="the plots need matplotlib")
    first = build(ENTRIES, REPORTED, tmp_path / "a").plots
    second = build(ENTRIES, REPORTED, tmp_path / "b").plots
    assert [p.name for p in first] == ["full_paper.png", "tiny_paper.png", "synth_strict.png", "synth_official.png"]
    for a, b in zip(first, second):
        data = a.read_bytes()
        assert data == b.read_bytes() and b"tIME" not in data and b"Software" not in data


def test_reported_table_is_the_papers_table_verbatim():
    # tests/data holds the paper's Table 4 as the aggregation tests read it; the leaderboard shows the same bytes.
    assert REPORTED.read_bytes() == (REPO / "tests" / "data" / "paper_table4.csv").read_bytes()


def _qwen_on_full(entry: dict) -> dict:
    """The frequency entry renamed as the paper names a model and moved to the full split."""
    entry = copy.deepcopy(entry)
    entry["model"]["name"] = "qwen2.5 vl 7b"
    entry["dataset"].update(split="full", source="full", fingerprint="2" * 64)
    return entry


def test_an_entry_of_a_reported_model_is_shown_beside_the_papers_number(entry, tmp_path):

    write_entry(_qwen_on_full(entry), tmp_path / "entries")
    rows = [row for e in load_entries(tmp_path / "entries") for row in rows_from_entry(e)] + read_reported(REPORTED)
    (pair,) = reproductions(rows)
    official = entry["scores"]["official"]["overall"]
    assert (pair.model, pair.split, pair.reported_avg) == ("qwen2.5 vl 7b", "full", 33.07)
    assert pair.official_avg == pytest.approx(official) and pair.difference == pytest.approx(official - 33.07)
    assert pair.strict_avg == pytest.approx(entry["scores"]["strict"]["overall"])
    text = render_markdown(rows, plots=False)
    assert "## Reported and reproduced" in text and f"| {official - 33.07:+.2f} |" in text


def test_no_reproduction_without_a_reported_row_of_that_model_and_split(entry):

    rows = rows_from_entry(entry) + read_reported(REPORTED)  # the frequency baseline on synth: the paper has no synth
    assert reproductions(rows) == []
