"""Write docs/scoring.md: the strict rules with one example each and the official score beside it.

`--check` exits 1 when the file on disk differs from what would be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spar_bench.protocols import OfficialProtocol, StrictProtocol
from spar_bench.protocols.rule_examples import RULE_EXAMPLES

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"

INTRO = """\
# Scoring: the strict and the official protocol

Every response is scored under both protocols in one pass. `official` reproduces the released SPAR-Bench
scorer exactly (for comparison with the paper); `strict` (the headline `spar_score`) gives credit only for
the answer a response states. The difference per task shows how much of a score is parser artefact.

Strict rules, in order of application:

1. Reasoning is cut: text up to the last `</think>` is dropped (an unclosed `<think>` leaves no answer),
   then only the text after the last `Final answer:` is kept.
2. A tagged `<answer>...</answer>` or `\\boxed{...}` answer, if present, is the answer.
3. Multiple choice: the options are read from the question (`A. ...`, `B. ...`). A lone letter, or letters
   asserted as `answer is X`, `Answer: X`, `option X`, `(X)`, or a leading `X.` / `X)` / `X:` (a capital
   letter: the article "a" is never A; lower case only as the whole answer). All asserted letters must
   agree and be an option. Otherwise the exact text of one option counts as that option. An empty,
   ambiguous or off-option response scores 0.
4. Numbers: the last number stated, sign kept, with decimals, scientific notation, a decimal comma (a comma
   followed by exactly three digits groups thousands), number words up to twenty, and units (mm, cm, m, km,
   feet, inches) converted to meters. MRA over the ten thresholds with a 1e-9 tolerance at the boundaries.
5. View change: `move_*` / `rotate_*` items in any case, spacing, order and surrounding text (`move_back` is
   `move_backward`); errors relative to the ground truth (absolute where it is 0); the mean of the five
   components. A response with no such item scores 0.

Every scored sample records what was parsed, or why nothing could be (`unparsed_reason`); the share of
unparsable responses is reported per task as `parse_failure_rate`.

| rule | why | task | response | answer | strict | official |
|---|---|---|---|---|---:|---:|
"""


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\\\|").replace("`", "'") + "`" if text else "(empty)"


def render() -> str:
    strict, official = StrictProtocol(), OfficialProtocol()
    rows = []
    for ex in RULE_EXAMPLES:
        s = strict.score(ex.task, ex.prediction, ex.answer, ex.question).score
        o = official.score(ex.task, ex.prediction, ex.answer, ex.question).score
        rows.append(f"| {ex.rule} | {ex.why} | {ex.task} | {_cell(ex.prediction)} | {_cell(ex.answer)} | {s:.2f} | {o:.2f} |\n")
    questions = sorted({ex.question for ex in RULE_EXAMPLES if ex.question})
    footer = "\nThe multiple-choice examples use the question: " + "; ".join(f"`{q}`" for q in questions) + "\n"
    return INTRO + "".join(rows) + footer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = DOC.read_text() if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is stale: run python scripts/make_scoring_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
