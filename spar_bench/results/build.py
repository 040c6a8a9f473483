"""Building the leaderboard: the entries folder and the paper's table in, LEADERBOARD.md, leaderboard.csv,
site/index.html and plots/*.png out. A library function: it prints nothing (the command is
`spar_bench.cli.leaderboard`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spar_bench.results.entry import BuildError, Entry, entry_filename
from spar_bench.results.entry_files import load_entries
from spar_bench.results.page import render_html
from spar_bench.results.plots import plot_avg_bars
from spar_bench.results.render import plot_filenames, render_csv, render_markdown
from spar_bench.results.rows import read_reported, rows_from_entry
from spar_bench.results.tables import tables


@dataclass(frozen=True)
class BuildResult:
    """What `build` wrote: the three files, the plots drawn (none without `plots`) and how many rows of each kind."""

    markdown: Path
    csv: Path
    html: Path
    plots: list[Path]
    n_entries: int
    n_reported: int


def build(
    entries_dir: str | Path, reported_csv: str | Path | None, out_dir: str | Path, *, plots: bool = True
) -> BuildResult:
    """Write `LEADERBOARD.md`, `leaderboard.csv`, `site/index.html` and (with `plots`) `plots/*.png` into
    `out_dir` from the entries of `entries_dir` and the paper's reported rows. An entry whose explorer page
    `out_dir/explore/<entry-stem>/index.html` exists at build time is linked to it from the page.

    The markdown references the plots whether or not they are drawn this time, so a build with
    `plots=False` writes the same markdown. Raises EntryError, ReportedTableError or BuildError.
    """
    entries = load_entries(entries_dir)
    _check_comparable(entries)
    rows = [row for entry in entries for row in rows_from_entry(entry)]
    reported = read_reported(reported_csv) if reported_csv is not None else []
    rows += reported
    out = Path(out_dir)
    (out / "site").mkdir(parents=True, exist_ok=True)
    paths = (out / "LEADERBOARD.md", out / "leaderboard.csv", out / "site" / "index.html")
    links = {
        entry_filename(e): f"../explore/{Path(entry_filename(e)).stem}/index.html"
        for e in entries
        if (out / "explore" / Path(entry_filename(e)).stem / "index.html").is_file()
    }
    page = render_html(rows, explore_links=links)
    for path, text in zip(paths, (render_markdown(rows), render_csv(rows), page)):
        path.write_text(text, encoding="utf-8", newline="\n")
    drawn: list[Path] = []
    if plots:
        (out / "plots").mkdir(exist_ok=True)
        all_tables = tables(rows)
        for table, name in zip(all_tables, plot_filenames(all_tables)):
            target = out / "plots" / name
            plot_avg_bars(table.rows, target, title=f"SPAR-Bench Avg, {table.heading()}")
            drawn.append(target)
    return BuildResult(*paths, drawn, len(entries), len(reported))


def _check_comparable(entries: Sequence[Entry]) -> None:
    """Entries of one split must be on one dataset: a different fingerprint is a different test set."""
    seen: dict[str, Entry] = {}
    for entry in entries:
        split = entry["dataset"]["split"]
        first = seen.setdefault(split, entry)
        if first["dataset"]["fingerprint"] != entry["dataset"]["fingerprint"]:
            raise BuildError(
                f"entries {entry_filename(first)} and {entry_filename(entry)} both say split {split!r} but were "
                f"scored on different datasets (fingerprints {first['dataset']['fingerprint'][:12]}... and "
                f"{entry['dataset']['fingerprint'][:12]}...); give one of them its own split name"
            )
