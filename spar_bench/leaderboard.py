"""Kept for imports written against 0.2; the code lives in spar_bench.results (and spar_bench.cli.leaderboard)."""

from spar_bench.cli.leaderboard import add_build_arguments, main, main_build
from spar_bench.results.build import BuildResult, build
from spar_bench.results.entry import (
    SCHEMA_VERSION,
    BuildError,
    EntryError,
    LeaderboardError,
    ReportedTableError,
    custom_split,
    entry_filename,
    image_limits,
    model_slug,
    new_entry,
    variant_from_run,
)
from spar_bench.results.entry_check import validate_entry
from spar_bench.results.entry_files import entry_from_run, load_entries, sha256_file, write_entry
from spar_bench.results.page import render_html, render_page, script_json
from spar_bench.results.render import render_csv, render_markdown
from spar_bench.results.rows import LeaderboardRow, read_reported, rows_from_entry
from spar_bench.results.tables import tables

__all__ = [
    "SCHEMA_VERSION",
    "BuildError",
    "BuildResult",
    "EntryError",
    "LeaderboardError",
    "LeaderboardRow",
    "ReportedTableError",
    "add_build_arguments",
    "build",
    "custom_split",
    "entry_filename",
    "entry_from_run",
    "image_limits",
    "load_entries",
    "main",
    "main_build",
    "model_slug",
    "new_entry",
    "read_reported",
    "render_csv",
    "render_html",
    "render_markdown",
    "render_page",
    "rows_from_entry",
    "script_json",
    "sha256_file",
    "tables",
    "validate_entry",
    "variant_from_run",
    "write_entry",
]

if __name__ == "__main__":
    raise SystemExit(main())
