"""The leaderboard page, site/index.html: a package template with the tables put in as escaped JSON.

`render_page` is the shared step for every page of the package (the run explorer's too): the template
`spar_bench/pages/<name>` holds a `/*__DATA__*/null` block that the data replaces.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources

from spar_bench.protocols import PROTOCOL_NAMES
from spar_bench.results.entry import LEVEL_NAMES, variant_text
from spar_bench.results.rows import COLUMN_LABELS, REPORTED_PROTOCOL, SCORE_COLUMNS, LeaderboardRow
from spar_bench.results.tables import Table, public_synthetic_pairs, reproductions, split_order, tables
from spar_bench.tasks_spec import TASKS_BY_ID


def script_json(value: object) -> str:
    """JSON for a <script> block: `<`, `>`, `&` and the JS line separators as \\u escapes, so no text in
    the data can close the block (`</script>`) or open a comment (`<!--`)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


PAGE_REPORTED_PROTOCOL = "official"  # the paper's numbers come from its released scorer, which `official` reproduces


def render_page(name: str, data: object) -> str:
    """The package page `spar_bench/pages/<name>` with `data` in its `/*__DATA__*/null` block (`script_json`)."""
    template = resources.files("spar_bench").joinpath("pages", name).read_text(encoding="utf-8")
    return template.replace("/*__DATA__*/null", script_json(data))


def _page_heading(table: Table) -> str:
    if any(r.reported for r in table.rows):
        sources = sorted({r.source for r in table.rows if r.source})
        return (
            f"Reported by {', '.join(sources) or 'a paper'} (its own scorer, which the official protocol "
            f"reproduces; split {table.split})"
        )
    if not table.variant:
        return f"Baselines, split {table.split}, protocol {table.protocol}"
    return f"Split {table.split}, protocol {table.protocol}, ranked within: " + "; ".join(
        variant_text(k, v) for k, v in table.variant.items()
    )


def render_html(rows: Sequence[LeaderboardRow], *, explore_links: Mapping[str, str] | None = None) -> str:
    """site/index.html: the page template with the tables embedded as escaped JSON (`script_json`).

    The page opens on the first split of full, tiny, synth, others; shows one protocol at a time (strict when
    the split has it; the paper's reported rows under `official`); each table is a section with its own
    ranks. `explore_links` maps an entry file name to the relative address of its explorer page."""
    links = explore_links or {}
    all_tables = tables(rows)
    protocols = []
    page_tables = []
    for table in all_tables:
        protocol = PAGE_REPORTED_PROTOCOL if table.protocol == REPORTED_PROTOCOL else table.protocol
        if protocol not in protocols:
            protocols.append(protocol)
        page_rows = [
            {**row.as_json(), "rank": rank, "explore": links.get(row.entry_file)}
            for row, rank in zip(table.rows, table.ranks())
        ]
        page_tables.append(
            {"split": table.split, "protocol": protocol, "heading": _page_heading(table), "rows": page_rows}
        )
    order = [*PROTOCOL_NAMES, *sorted(set(protocols) - set(PROTOCOL_NAMES))]
    splits = split_order(r.split for r in rows)
    data = {
        "columns": [
            {
                "key": c,
                "label": COLUMN_LABELS[c],
                "level": c if c in LEVEL_NAMES else (TASKS_BY_ID[c].level.value if c in TASKS_BY_ID else ""),
                "kind": "task" if c in TASKS_BY_ID else ("avg" if c == "avg" else "level"),
            }
            for c in SCORE_COLUMNS
        ],
        "splits": splits,
        "protocols": [p for p in order if p in protocols],
        "default_split": splits[0] if splits else None,
        "tables": page_tables,
        "contamination": [pair.as_json() for pair in public_synthetic_pairs(rows)],
        "reproductions": [pair.as_json() for pair in reproductions(rows)],
    }
    return render_page("leaderboard.html", data)
