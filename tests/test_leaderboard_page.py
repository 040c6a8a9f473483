"""The leaderboard page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright): it
opens from disk, shows the expected rows, sorts on a header click, filters by split and protocol, and
shows a hostile model name as text without running it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import REPO

from spar_bench.results.build import build
from spar_bench.results.entry_files import write_entry

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LEADERBOARD = REPO / "leaderboard"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_ORG = '<b onmouseover="window.__pwned=3">Org</b>'


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "the page test needs Debian's chromium at /usr/bin/chromium: "
            "apt-get install -y chromium (never a browser downloaded by playwright)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the page test needs playwright: pip install playwright (the browser is /usr/bin/chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The committed entries plus one whose model and organisation names are markup, with the reported rows."""
    root = tmp_path_factory.mktemp("leaderboard")
    entry = json.loads((LEADERBOARD / "entries" / "spar-frequency__synth.json").read_text())
    for path in (LEADERBOARD / "entries").glob("*.json"):
        write_entry(json.loads(path.read_text()), root / "entries")
    hostile = copy.deepcopy(entry)
    hostile["model"]["name"], hostile["model"]["organisation"] = HOSTILE, HOSTILE_ORG
    write_entry(hostile, root / "entries")
    build(root / "entries", LEADERBOARD / "reported" / "paper_table4.csv", root / "out", plots=False)
    return root / "out" / "site" / "index.html"


def _explored_site(root: Path, entries: Path) -> Path:
    """A build of `entries` into `root/out` where the frequency baseline has an explorer page beside it."""
    explore = root / "out" / "explore" / "spar-frequency__synth"
    explore.mkdir(parents=True)
    (explore / "index.html").write_text("<!DOCTYPE html><title>explorer</title>")
    build(entries, LEADERBOARD / "reported" / "paper_table4.csv", root / "out", plots=False)
    return root / "out" / "site" / "index.html"


@pytest.fixture(scope="module")
def explored_site(tmp_path_factory) -> Path:
    return _explored_site(tmp_path_factory.mktemp("explored"), LEADERBOARD / "entries")


class Page:
    """One opened page, with what it tried to fetch and every dialog and script error it raised."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 900, "height": 700})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def rows(self) -> list[dict]:
        return self.page.eval_on_selector_all(
            "#leaderboard tbody tr.entry",
            """trs => trs.map(tr => ({
            model: tr.querySelector("td.model").firstChild.textContent,
            split: tr.dataset.split, protocol: tr.dataset.protocol, reported: tr.dataset.reported === "true",
            marked: tr.classList.contains("reported") && tr.querySelector(".badge") !== null,
            baseline: tr.dataset.baseline === "true" && tr.querySelector(".badge.baseline") !== null,
            rank: tr.dataset.rank === "" ? null : parseInt(tr.dataset.rank, 10),
            rank_cell: tr.querySelector("td.rank").textContent,
            link: tr.querySelector("td.model a") ? tr.querySelector("td.model a").getAttribute("href") : null,
            section: tr.parentElement.dataset.heading,
            cells: Object.fromEntries([...tr.querySelectorAll("td[data-key]")].map(td => [td.dataset.key,
                                                                                          parseFloat(td.textContent)]))
        }))""",
        )

    def choose(self, select: str, value: str) -> None:
        self.page.select_option(select, value)

    def options(self, select: str) -> list[str]:
        return self.page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.value)")

    def click_header(self, key: str) -> None:
        self.page.click(f'th[data-key="{key}"]')

    def left(self, selector: str) -> float:
        return self.page.eval_on_selector(selector, "e => e.getBoundingClientRect().left")


@pytest.fixture
def committed(browser):
    page = Page(browser, LEADERBOARD / "site" / "index.html")
    yield page
    page.page.close()


@pytest.fixture
def hostile(browser, hostile_site):
    page = Page(browser, hostile_site)
    yield page
    page.page.close()


@pytest.fixture
def explored(browser, explored_site):
    page = Page(browser, explored_site)
    yield page
    page.page.close()


def test_committed_page_opens_on_the_full_split_with_the_papers_rows(committed):
    rows = committed.rows()
    assert committed.page.input_value("#split-filter") == "full"
    assert committed.options("#split-filter")[:3] == ["full", "tiny", "synth"]
    assert committed.page.input_value("#protocol-filter") == "official"
    assert rows and all(r["reported"] and r["marked"] and r["split"] == "full" for r in rows)
    assert "Chance (Frequency)" in {r["model"] for r in rows} and "spar_oracle" not in {r["model"] for r in rows}
    assert rows[0]["section"].startswith("Reported by the paper, arXiv 2503.22976, Table 4")
    assert committed.errors == [] and all(url.startswith("file://") for url in committed.requests)


def test_header_keeps_rank_model_and_avg_first_then_the_paper_columns(committed):
    keys = committed.page.eval_on_selector_all("#header th", "ths => ths.map(th => th.dataset.key)")
    assert keys[:6] == ["rank", "model", "avg", "organisation", "low", "depth_prediction_oc"]
    assert keys[13] == "medium" and keys[17] == "high" and len(keys) == 27


def test_rank_model_and_avg_stay_in_view_while_the_task_columns_scroll(committed):
    committed.choose("#split-filter", "synth")
    first = "#leaderboard tbody tr.entry"
    before = {
        key: committed.left(f"{first} td{sel}")
        for key, sel in (
            ("rank", ".rank"),
            ("model", ".model"),
            ("avg", '[data-key="avg"]'),
            ("task", '[data-key="high"]'),
        )
    }
    committed.page.eval_on_selector("#wrap", "w => { w.scrollLeft = 600; }")
    assert committed.page.eval_on_selector("#wrap", "w => w.scrollLeft") > 100
    after = {
        key: committed.left(f"{first} td{sel}")
        for key, sel in (
            ("rank", ".rank"),
            ("model", ".model"),
            ("avg", '[data-key="avg"]'),
            ("task", '[data-key="high"]'),
        )
    }
    assert all(abs(after[k] - before[k]) < 1 for k in ("rank", "model", "avg"))
    assert after["task"] < before["task"] - 100
    assert before["rank"] < before["model"] < before["avg"]


def test_one_protocol_at_a_time_strict_by_default_for_entries(committed):
    committed.choose("#split-filter", "synth")
    assert committed.page.input_value("#protocol-filter") == "strict"
    assert committed.options("#protocol-filter") == ["strict", "official"]
    rows = committed.rows()
    assert {r["protocol"] for r in rows} == {"strict"}
    assert sorted(r["model"] for r in rows) == ["spar_frequency", "spar_oracle", "spar_random"]
    committed.choose("#protocol-filter", "official")
    rows = committed.rows()
    assert len(rows) == 3 and {r["protocol"] for r in rows} == {"official"}


def test_baselines_are_marked_and_not_ranked(committed):
    committed.choose("#split-filter", "synth")
    rows = committed.rows()
    assert all(r["baseline"] and r["rank"] is None and r["rank_cell"] == "-" for r in rows)
    committed.choose("#split-filter", "tiny")
    rows = {r["model"]: r for r in committed.rows()}
    assert rows["Human"]["baseline"] and rows["Human"]["rank"] is None
    ranked = sorted((r for r in rows.values() if not r["baseline"]), key=lambda r: r["rank"])
    assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    assert [r["cells"]["avg"] for r in ranked] == sorted((r["cells"]["avg"] for r in ranked), reverse=True)


def test_clicking_a_header_sorts_by_that_column(committed):
    committed.choose("#split-filter", "full")
    before = [r["model"] for r in committed.rows()]
    committed.click_header("model")
    ascending = [r["model"] for r in committed.rows()]
    assert ascending == sorted(ascending, key=str.lower) and ascending != before
    assert committed.page.get_attribute('th[data-key="model"]', "aria-sort") == "ascending"
    committed.click_header("model")
    assert [r["model"] for r in committed.rows()] == sorted(ascending, key=str.lower, reverse=True)
    committed.click_header("depth_prediction_oc_mv")
    values = [r["cells"]["depth_prediction_oc_mv"] for r in committed.rows()]
    assert values == sorted(values, reverse=True)
    committed.click_header("depth_prediction_oc_mv")
    assert [r["cells"]["depth_prediction_oc_mv"] for r in committed.rows()] == sorted(values)


def test_split_filter_shows_one_split_only(committed):
    committed.choose("#split-filter", "tiny")
    rows = committed.rows()
    assert {r["split"] for r in rows} == {"tiny"}
    assert {"Human", "GPT-4o", "Claude-3.7-Sonnet", "Qwen2-VL-72B", "Qwen2.5-VL-72B"} == {r["model"] for r in rows}
    committed.choose("#split-filter", "synth")
    assert not any(r["marked"] or r["reported"] for r in committed.rows())


def test_each_visible_row_has_per_task_bars(committed):
    committed.choose("#split-filter", "synth")
    charts = committed.page.eval_on_selector_all(
        "svg.task-bars", "svgs => svgs.map(s => s.querySelectorAll('rect').length)"
    )
    assert charts == [20] * 3


def test_an_entry_links_to_its_explorer_when_the_page_exists(explored, explored_site):
    explored.choose("#split-filter", "synth")
    links = {r["model"]: r["link"] for r in explored.rows()}
    assert links == {
        "spar_frequency": "../explore/spar-frequency__synth/index.html",
        "spar_oracle": None,
        "spar_random": None,
    }
    assert (explored_site.parent / links["spar_frequency"]).resolve().is_file()


@pytest.fixture
def paired(browser, tmp_path):
    """A site where model "M" has an entry on tiny (the random baseline's scores) and on synth (the
    frequency baseline's)."""
    for name, split in (("spar-frequency__synth.json", "synth"), ("spar-random__synth.json", "tiny")):
        entry = json.loads((LEADERBOARD / "entries" / name).read_text())
        entry["model"].update(name="M", organisation="Lab", adapter="spar_hf")
        if split == "tiny":
            entry["dataset"].update(split="tiny", source="tiny", fingerprint="1" * 64)
        write_entry(entry, tmp_path / "entries")
    build(tmp_path / "entries", None, tmp_path / "out", plots=False)
    page = Page(browser, tmp_path / "out" / "site" / "index.html")
    yield page
    page.page.close()


def test_public_and_synthetic_avg_are_shown_with_their_difference(paired):
    assert paired.page.is_visible("#contamination")
    cells = paired.page.eval_on_selector_all("#contamination-rows tr td", "tds => tds.map(td => td.textContent)")
    public = json.loads((LEADERBOARD / "entries" / "spar-random__synth.json").read_text())["scores"]["strict"]
    synthetic = json.loads((LEADERBOARD / "entries" / "spar-frequency__synth.json").read_text())["scores"]["strict"]
    difference = synthetic["overall"] - public["overall"]
    assert cells == [
        "M",
        "strict",
        "tiny",
        f"{public['overall']:.2f}",
        "synth",
        f"{synthetic['overall']:.2f}",
        f"{'+' if difference >= 0 else ''}{difference:.2f}",
    ]
    assert "nothing here proves" in paired.page.inner_text("#contamination")
    paired.choose("#protocol-filter", "official")
    assert paired.page.eval_on_selector_all("#contamination-rows tr", "trs => trs.length") == 1


def test_no_public_synthetic_section_without_a_pair(committed):
    assert not committed.page.is_visible("#contamination")


def test_hostile_name_is_shown_as_text_and_runs_nothing(hostile):
    hostile.choose("#split-filter", "synth")
    models = [r["model"] for r in hostile.rows()]
    assert models.count(HOSTILE) == 1
    hostile.choose("#protocol-filter", "official")
    assert [r["model"] for r in hostile.rows()].count(HOSTILE) == 1
    orgs = hostile.page.eval_on_selector_all("#leaderboard td.org", "tds => tds.map(td => td.textContent)")
    assert HOSTILE_ORG in orgs
    assert hostile.page.evaluate("typeof window.__pwned") == "undefined"
    assert hostile.page.locator("#leaderboard img, #leaderboard b, #charts img").count() == 0
    hostile.page.hover("#leaderboard td.org")
    assert hostile.page.evaluate("typeof window.__pwned") == "undefined"
    assert hostile.dialogs == [] and hostile.errors == []
    assert not [url for url in hostile.requests if not url.startswith("file://")]


def test_screenshot_for_the_docs(committed, tmp_path):
    # SPAR_BENCH_DOC_SCREENSHOTS=1 rewrites docs/images/leaderboard.png; a plain test run never touches tracked files.
    import os

    committed.page.set_viewport_size({"width": 1280, "height": 720})
    target = REPO / "docs" / "images" if os.environ.get("SPAR_BENCH_DOC_SCREENSHOTS") else tmp_path
    committed.page.screenshot(path=str(target / "leaderboard.png"))
    assert (target / "leaderboard.png").stat().st_size > 10_000


def test_a_reproduced_model_is_shown_beside_the_papers_number(browser, tmp_path):
    entry = json.loads((LEADERBOARD / "entries" / "spar-frequency__synth.json").read_text())
    entry["model"]["name"] = "Qwen2.5-VL-7B"
    entry["dataset"].update(split="full", source="full", fingerprint="2" * 64)
    write_entry(entry, tmp_path / "entries")
    build(tmp_path / "entries", LEADERBOARD / "reported" / "paper_table4.csv", tmp_path / "out", plots=False)
    page = Page(browser, tmp_path / "out" / "site" / "index.html")
    try:
        assert page.page.is_visible("#reproductions")
        cells = page.page.eval_on_selector_all("#reproductions-rows tr td", "tds => tds.map(td => td.textContent)")
        official, strict = entry["scores"]["official"]["overall"], entry["scores"]["strict"]["overall"]
        difference = official - 33.07
        assert cells == [
            "Qwen2.5-VL-7B",
            "33.07",
            f"{official:.2f}",
            f"{'+' if difference >= 0 else ''}{difference:.2f}",
            f"{strict:.2f}",
        ]
        page.choose("#split-filter", "tiny")  # the pair belongs to the full split only
        assert not page.page.is_visible("#reproductions")
    finally:
        page.page.close()
