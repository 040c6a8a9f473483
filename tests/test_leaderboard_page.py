"""The leaderboard page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright): it
opens from disk, shows the expected rows, sorts on a header click, filters by split and protocol, and
shows a hostile model name as text without running it."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import REPO

from spar_bench.leaderboard import build, write_entry

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LEADERBOARD = REPO / "leaderboard"
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
HOSTILE_ORG = '<b onmouseover="window.__pwned=3">Org</b>'


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("the page test needs Debian's chromium at /usr/bin/chromium: "
                    "apt-get install -y chromium (never a browser downloaded by playwright)")
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


class Page:
    """One opened page, with what it tried to fetch and every dialog and script error it raised."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def rows(self) -> list[dict]:
        return self.page.eval_on_selector_all("#rows tr", """trs => trs.map(tr => ({
            model: tr.querySelector("td.model").firstChild.textContent,
            split: tr.dataset.split, protocol: tr.dataset.protocol, reported: tr.dataset.reported === "true",
            marked: tr.classList.contains("reported") && tr.querySelector(".badge") !== null,
            cells: Object.fromEntries([...tr.querySelectorAll("td[data-key]")].map(td => [td.dataset.key,
                                                                                          parseFloat(td.textContent)]))
        }))""")

    def choose(self, select: str, value: str) -> None:
        self.page.select_option(select, value)

    def click_header(self, key: str) -> None:
        self.page.click(f'th[data-key="{key}"]')


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


def test_committed_page_opens_from_disk_with_the_synth_baselines(committed):
    rows = committed.rows()
    assert committed.page.input_value("#split-filter") == "synth"
    assert sorted((r["model"], r["protocol"]) for r in rows) == sorted(
        (m, p) for m in ("spar_frequency", "spar_oracle", "spar_random") for p in ("strict", "official"))
    assert rows[0]["model"] == "spar_oracle" and rows[0]["cells"]["avg"] == 100.0
    assert committed.errors == [] and all(url.startswith("file://") for url in committed.requests)


def test_header_shows_the_paper_columns_in_order(committed):
    keys = committed.page.eval_on_selector_all("#header th", "ths => ths.map(th => th.dataset.key)")
    assert keys[:6] == ["model", "organisation", "split", "protocol", "avg", "low"]
    assert keys[6:14][0] == "depth_prediction_oc" and keys[14] == "medium" and keys[18] == "high" and len(keys) == 28


def test_clicking_a_header_sorts_by_that_column(committed):
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
    committed.choose("#split-filter", "full")
    rows = committed.rows()
    assert {r["split"] for r in rows} == {"full"} and "Chance (Frequency)" in {r["model"] for r in rows}
    assert not {"spar_oracle", "Human"} & {r["model"] for r in rows}


def test_reported_rows_are_marked(committed):
    committed.choose("#split-filter", "tiny")
    rows = committed.rows()
    assert rows and all(r["reported"] and r["marked"] and r["protocol"] == "paper" for r in rows)
    committed.choose("#split-filter", "synth")
    assert not any(r["marked"] or r["reported"] for r in committed.rows())


def test_protocol_filter_keeps_one_protocol(committed):
    committed.choose("#protocol-filter", "official")
    rows = committed.rows()
    assert len(rows) == 3 and {r["protocol"] for r in rows} == {"official"}


def test_each_visible_row_has_per_task_bars(committed):
    charts = committed.page.eval_on_selector_all("svg.task-bars", "svgs => svgs.map(s => s.querySelectorAll('rect').length)")
    assert charts == [20] * 6


def test_hostile_name_is_shown_as_text_and_runs_nothing(hostile):
    models = [r["model"] for r in hostile.rows()]
    assert models.count(HOSTILE) == 2
    orgs = hostile.page.eval_on_selector_all("#rows tr td:nth-child(2)", "tds => tds.map(td => td.textContent)")
    assert HOSTILE_ORG in orgs
    assert hostile.page.evaluate("typeof window.__pwned") == "undefined"
    assert hostile.page.locator("#leaderboard img, #leaderboard b, #charts img").count() == 0
    hostile.page.hover("#rows tr td:nth-child(2)")
    assert hostile.page.evaluate("typeof window.__pwned") == "undefined"
    assert hostile.dialogs == [] and hostile.errors == []
    assert not [url for url in hostile.requests if not url.startswith("file://")]
