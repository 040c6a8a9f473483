"""`spar-bench explore`: runs are read with the shared readers, re-scored under both protocols, checked against
the dataset, and written as a page that opens from disk (no network) in Debian's headless Chromium, filters,
shows a question with its images, and keeps hostile responses as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO
from test_leaderboard_page import CHROMIUM_ARGS, browser  # noqa: F401 - the shared browser fixture

from spar_bench.cli import main
from spar_bench.results.explore import ExploreError, explore, page_data, question_table, read_run, render_page
from spar_bench.runner import run

HOSTILE = '<img src=x onerror="window.__pwned=1"></script><script>window.__pwned=2</script> 1.5 meters'
UNREADABLE = '</script><b onmouseover="window.__pwned=3">no idea</b>'


def _run(model: str, output: Path) -> Path:
    run(model=model, model_args={}, tasks=["spar_bench_synth"], output=output, show_progress=False)
    return output


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    """Two runs of spar_bench_synth: the frequency baseline (two answers made hostile, one of them unreadable)
    and the oracle."""
    root = tmp_path_factory.mktemp("runs")
    frequency, oracle = _run("spar_frequency", root / "frequency"), _run("spar_oracle", root / "oracle")
    path = frequency / "predictions.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    first = next(line for line in lines if line["task"] == "depth_prediction_oc")
    first["prediction"] = HOSTILE
    choice = next(line for line in lines if line["task"] == "position_matching")
    choice["prediction"] = UNREADABLE
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return frequency, oracle


@pytest.fixture(scope="module")
def site(runs, tmp_path_factory) -> Path:
    return explore(list(runs), tmp_path_factory.mktemp("explore") / "site")


# ---------------------------------------------------------------- reading and data


def test_a_run_folder_is_read_with_its_model_and_dataset(runs):
    explored = read_run(runs[0])
    assert explored.kind == "spar-bench run" and explored.label == "spar_frequency"
    assert explored.data_source == "synth" and len(explored.predictions) == 200


def test_a_folder_that_is_no_run_is_refused(tmp_path):
    with pytest.raises(ExploreError, match="not a `spar-bench run` folder"):
        read_run(tmp_path)


def test_a_run_whose_answers_differ_from_the_dataset_is_refused(runs, tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    lines = [json.loads(line) for line in (runs[1] / "predictions.jsonl").read_text().splitlines()]
    assert lines[0]["task"] == "depth_prediction_oc"
    lines[0]["answer"] = str(float(lines[0]["answer"]) + 1)
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / "predictions.jsonl").write_text(text)
    (folder / "results.json").write_text((runs[1] / "results.json").read_text())
    with pytest.raises(ExploreError, match="has another answer than the dataset synth"):
        question_table([read_run(folder)], None)


def test_the_strict_span_is_given_in_javascript_string_offsets(runs):
    explored = read_run(runs[1])
    explored.predictions.predictions[0] = "\U0001f600 answer " + explored.predictions.predictions[0]
    data = page_data([explored], question_table([explored], None), [[] for _ in explored.predictions.ids])
    text, span = data["answers"][0]["text"][0], data["answers"][0]["span"][0]
    answer = data["questions"]["answer"][0]
    # the emoji is two UTF-16 units: the span starts at 2 + len(" answer ")
    assert span == [10, 10 + len(answer)]
    assert text.encode("utf-16-le")[2 * span[0] : 2 * span[1]].decode("utf-16-le") == answer


def test_the_summary_holds_both_protocols_per_task(runs):
    explored = [read_run(path) for path in runs]
    data = page_data(explored, question_table(explored, None), [[] for _ in range(200)])
    assert data["summary"]["overall"]["spar_oracle"] == {"strict": 100.0, "official": 100.0}
    assert set(data["summary"]["depth_prediction_oc"]["spar_frequency"]) == {"strict", "official", "n"}


def test_hostile_text_cannot_close_the_data_block(runs):
    explored = [read_run(runs[0])]
    page = render_page(page_data(explored, question_table(explored, None), [[] for _ in range(200)]))
    block = page.split('<script id="explore-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and "window.__pwned" in block


def test_the_cli_writes_the_page_and_exits_0(runs, tmp_path, capsys):
    assert main(["explore", str(runs[0]), str(runs[1]), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "index.html").is_file() and any((tmp_path / "out" / "images").iterdir())
    assert main(["explore", str(tmp_path), "--out", str(tmp_path / "x")]) == 2
    assert "not a `spar-bench run` folder" in capsys.readouterr().err


def test_a_verified_bundle_is_explored_like_its_run(runs, tmp_path):
    from spar_bench.results.prepare import prepare

    bundle = prepare(runs[1], "oracle-model", "org", tmp_path / "oracle.tar.gz")
    explored = read_run(bundle)
    assert explored.kind == "bundle" and explored.label == "oracle-model" and len(explored.predictions) == 200


# ---------------------------------------------------------------- the page in Chromium


class Explorer:
    def __init__(self, browser, path: Path):  # noqa: F811
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def count(self) -> str:
        return self.page.text_content("#count")

    def rows(self) -> int:
        return self.page.eval_on_selector_all("#spacer .row", "rows => rows.length")


@pytest.fixture
def explorer(browser, site):  # noqa: F811
    page = Explorer(browser, site)
    yield page
    page.page.close()


def test_the_page_opens_from_disk_with_both_models_and_no_network(explorer):
    assert explorer.count() == "200 of 200 questions"
    assert explorer.page.eval_on_selector_all("#f-model option", "os => os.map(o => o.textContent)") == [
        "all",
        "spar_frequency",
        "spar_oracle",
    ]
    assert explorer.errors == [] and all(url.startswith("file://") for url in explorer.requests)


def test_only_the_rows_in_view_are_rendered(explorer):
    assert 0 < explorer.rows() < 60


def test_filters_narrow_the_questions(explorer):
    explorer.page.select_option("#f-task", "depth_prediction_oc")
    assert explorer.count() == "10 of 200 questions"
    explorer.page.select_option("#f-task", "")
    explorer.page.select_option("#f-view", "multi_view")
    assert explorer.count() == "120 of 200 questions"
    explorer.page.select_option("#f-view", "")
    explorer.page.check("#f-models-differ")
    differ = int(explorer.count().split()[0])
    assert 0 < differ < 200
    explorer.page.uncheck("#f-models-differ")
    explorer.page.check("#f-all-wrong")
    assert explorer.count().startswith("0 of")  # the oracle is right everywhere
    explorer.page.select_option("#f-model", "0")
    assert int(explorer.count().split()[0]) > 0
    explorer.page.uncheck("#f-all-wrong")
    explorer.page.check("#f-unparsed")
    assert explorer.count() == "1 of 200 questions"  # the unreadable response


def test_the_protocols_disagree_filter_finds_the_official_leniency(explorer):
    explorer.page.select_option("#f-model", "0")
    explorer.page.check("#f-protocols-differ")
    explorer.page.click("#spacer .row >> nth=0")
    card = "#detail .answer-card[data-run='0'] .facts"
    strict, official = (
        float(explorer.page.get_attribute(f"{card} .{name}", "data-score")) for name in ("strict", "official")
    )
    assert strict != official and explorer.errors == []


def test_opening_a_question_shows_its_images_answer_and_every_response(explorer):
    explorer.page.click("#spacer .row >> nth=0")
    explorer.page.wait_for_selector("#detail .answer-card")
    assert explorer.page.eval_on_selector_all("#detail .answer-card h3", "hs => hs.map(h => h.textContent)") == [
        "spar_frequency",
        "spar_oracle",
    ]
    images = explorer.page.eval_on_selector_all(
        "#detail .thumbs img", "imgs => imgs.map(i => [i.complete && i.naturalWidth > 0, i.dataset.full])"
    )
    assert images and all(loaded for loaded, _ in images)
    explorer.page.click("#detail .thumbs img >> nth=0")
    assert explorer.page.is_visible("#lightbox")
    assert explorer.page.get_attribute("#lightbox-img", "src") == images[0][1]
    explorer.page.click("#lightbox")
    assert not explorer.page.is_visible("#lightbox")


def test_a_hostile_response_stays_text_with_its_span_marked(explorer):
    explorer.page.select_option("#f-task", "depth_prediction_oc")
    explorer.page.click("#spacer .row >> nth=0")
    card = "#detail .answer-card[data-run='0'] .response"
    assert explorer.page.text_content(card) == HOSTILE
    assert explorer.page.text_content(card + " mark") == "1.5 meters"
    assert explorer.page.eval_on_selector_all("#detail img:not(.thumbs img)", "imgs => imgs.length") == 0
    assert explorer.page.evaluate("window.__pwned") is None and explorer.dialogs == []


def test_screenshot_for_the_docs(explorer, tmp_path):
    # SPAR_BENCH_DOC_SCREENSHOTS=1 rewrites docs/images/explore.png; a plain test run never touches tracked files.
    import os

    explorer.page.select_option("#f-task", "depth_prediction_oc")
    explorer.page.click("#spacer .row >> nth=0")
    explorer.page.wait_for_selector("#detail .thumbs img")
    target = REPO / "docs" / "images" if os.environ.get("SPAR_BENCH_DOC_SCREENSHOTS") else tmp_path
    explorer.page.screenshot(path=str(target / "explore.png"))
    assert (target / "explore.png").stat().st_size > 10_000
