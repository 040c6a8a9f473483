"""Write the model table of docs/models.md from the model registry (`spar_bench.model_adapters.registry.MODELS`).

The table sits between two markers; the rest of the page is prose and is left alone. `--check` exits 1 when the
table on disk differs from what would be written.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from spar_bench.model_adapters.arguments import settable_parameters
from spar_bench.model_adapters.registry import LMMS_INJECTED, LMMS_JOURNAL_ARGS, MODELS, ModelEntry

PAGE = Path(__file__).resolve().parents[1] / "docs" / "models.md"
BEGIN = "<!-- model table: written by scripts/make_model_table.py from the registry; edit the registry, not here -->"
END = "<!-- end of model table -->"


def model_arguments(entry: ModelEntry) -> str:
    """The entry's model arguments as `name` (required) or `name=default`, in signature order."""
    shown = []
    for name, parameter in settable_parameters(entry.target()).items():
        if parameter.default is inspect.Parameter.empty:
            shown.append(f"`{name}` (required)")
        else:
            shown.append(f"`{name}={parameter.default}`")
    return ", ".join(shown) or "none"


def table() -> str:
    """The markdown table, one row per registry entry, in registry order."""
    rows = [
        "| `--model` | what answers | model arguments | lmms-eval class |",
        "|---|---|---|---|",
    ]
    for entry in MODELS.values():
        rows.append(
            f"| `{entry.name}` | {entry.description} | {model_arguments(entry)} | "
            f"`spar_bench.lmms.models.{entry.lmms_class}` |"
        )
    journaled = ", ".join(f"`{entry.name}`" for entry in MODELS.values() if not entry.baseline)
    extra = ", ".join(f"`{name}=DIR`" for name in LMMS_JOURNAL_ARGS)
    flags = ", ".join(f"`{name}` with `{flag}`" for name, flag in LMMS_INJECTED.items())
    note = (
        f"Under lmms-eval, {journaled} also take {extra} (the folder their answers are journaled in), and "
        f"lmms-eval's own flags set {flags}, not `--model_args`."
    )
    return "\n".join([*rows, "", note])


def rendered(page: str) -> str:
    """`page` with the text between the markers replaced by the current table. Raises SystemExit when a marker
    is missing."""
    start, end = page.find(BEGIN), page.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{PAGE}: the markers {BEGIN!r} and {END!r} are missing")
    return page[: start + len(BEGIN)] + "\n" + table() + "\n" + page[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/models.md's table is out of date")
    args = parser.parse_args(argv)
    current = PAGE.read_text(encoding="utf-8")
    wanted = rendered(current)
    if args.check:
        if current != wanted:
            print(f"{PAGE} is out of date: run python scripts/make_model_table.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
