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
scorer exactly (for comparison with the paper); `strict` (the headline `spar_score`, version 2) gives credit
for the answer a response states, read the way a careful grader reads it. The difference per task shows how
much of a score is parser artefact.

## How the strict protocol reads a response

Reading has two stages, and every scored sample records both (`span`: the character offsets of the text the
value was read from; `rule`: `<where>: <how>`, e.g. `answer phrase: leading letter`).

**Where the answer is** (in this order):

1. Reasoning is cut: text up to the last `</think>` (or `</thinking>`, `</reasoning>`, `◁/think▷`) is dropped;
   an opening tag never closed leaves no answer. Full-width forms (`：`, `（Ｂ）`), typographic quotes and
   markdown marks (`**`, `` ` ``, `#`) are read as their plain forms; LaTeX text commands (`\\text{}`,
   `\\mathrm{}`) as their contents.
2. An answer container: `<answer>...</answer>` (an unclosed tag runs to the end), `\\boxed{...}` with nested
   braces, GLM's `<|begin_of_box|>...<|end_of_box|>`. The container that starts last wins (`answer tag`,
   `boxed`, `box tokens`).
3. Else an answer phrase: `Final answer:` wins over any other (`final answer`); else the last of `The answer
   is`, `Answer:` / `Answer -`, `The correct option is`, `I choose`, `The depth is`, a JSON `"answer":` field,
   `答案：`, `正确答案是`, `选择` (`answer phrase`). The answer is the rest of that line (the next line when the
   phrase ends its line). `answer is not ...` announces nothing.
4. Else the first line (`first line`), then the whole response (`whole response`).
5. A self-correction (`B? No, ...`, `Actually`, `Wait`, `Correction:`, `... can't be right`, `I first thought`)
   after the announced answer, or anywhere when none is announced, moves the reading to the text after it,
   where the last value stated is the answer (`after a correction`). A `Final answer:` is never corrected.
6. A response cut mid-sentence on a word that leaves it open (`roughly`, `should be`, `so`, `=`, `now`) was
   cut before its answer when the value read comes from its reasoning (its last number, or the unfinished
   sentence): it scores 0. A leading answer, a container, an answer announced before the cut and a value its
   finished first sentence states are kept.

**What the answer is**, by answer kind:

- Multiple choice (options read from the question): a hedge between two letters (`A or C`, `either A or B`)
  or a list of every option reads nothing; else a lone letter (`B`, `(b).`, `B。`); a leading capital letter
  followed by punctuation, the end or a connecting word (`C because ...`, `B is correct`; `A chair` is the
  article); letters named as `option C`, `(C)`, `选项C`, `C is the correct answer` (in announced text the
  first, elsewhere all must agree); else the restated text of exactly one option, compared word by word
  (`left, closer` names `left, , closer`, never `left, above, closer`), or a part of it no other option shares
  (`the yellow point`); for options made only of spatial words, a description that means exactly one option
  (`below and in front` is `, below, front`; `ahead of me and to the right`, `左后方` are directions; `front or
  front-left` offers two and reads nothing). A capital letter that ends a sentence or line (`so B.`, `The farthest is C.`) is named
  too; `A, B, C and D` is a list, not a choice. Text saying no option applies, or declining, scores 0 with that
  reason. A letter whose own claim (its sentence, up to `because` / `since`) restates another option's text
  contradicts itself and scores 0 (`D (left, , closer)` when that is B); words that restate the question's stem
  (three words in a row) are no claim, and options ruled out (`it can't be A or D`) are no hedge. The letter
  must be an option of the question (A-H when the question is unknown). A second option offered as also
  plausible (`D, though A is also plausible`), an option per condition (`A if ..., C otherwise`), two options
  joined by `or`, and a relation that leaves out a slot another option fills (`left, farther` beside `left, ,
  farther` and `left, below, farther`) state no answer; options ruled out (`not B`, `D ... is wrong`) are no
  claim; per-option verdicts (`A: No. ... D: Yes.`) state the one marked yes.
- Numbers, in meters with their sign: in announced text its first number; elsewhere the leading number of a
  response that opens with one (`1.4 m. The camera is 1.6 m above the floor.`), else the last number. Numbers
  that only repeat a value written in the question, and numbers inside parentheses, are skipped when another is
  stated. Ordinals and labels (`2nd`, `image 3`, `Frame-4`, `camera2`, `3D`) and percentages are not lengths.
  Sizes and heights (`2 m long`, `1.6 m above the floor`) are context too; the result of arithmetic
  (`2.5 - 0.3 = 2.2 m`) is the answer. Two values offered (`1.4 m or 1.8 m`, `1.5 m, though 3 m is equally
  plausible`, a value per condition), a restatement that disagrees (`0.7 m, i.e. about 150 cm`), and a refusal
  whose only numbers echo the question score 0. Ranges read as their midpoint, `±` as the centre; units (mm, cm, m, km, feet, inches, `'`, `"`, 米, 厘米, 毫米)
  convert to meters, compound lengths add up (`4 meters 20 centimeters`, `5'6"`; a quote mark that closes a
  quoted number is no unit); number words (`two and a half meters`, `half a meter`, `one point five`,
  `one meter and sixty centimeters`) and Chinese numerals with a unit (`三点二米`, `一米二`) count when no digit is
  written; feet then a bare number under 12 are feet and inches (`5 ft 6`). A bound (`less than 2 m`), a value
  ruled out (`not 2 m`), a value per condition, a value said only of the question's reference object (`the
  counter sits at 1.6 m`), of another camera than the one asked, or from the camera when the question asks the
  distance between two objects, is no answer; a restatement in another unit that agrees is one answer, read in
  meters. MRA over the ten
  thresholds with a 1e-9 tolerance at the bounds.
- View change: `move_*` / `rotate_*` items in any case, spacing, order and markup (`key: value`, `key - value`,
  `key → value`, JSON objects flat or nested under `translation` / `rotation`, markdown lists with bold keys,
  tables), `back` for backward, `turn` / `pan` / `yaw` / `tilt` for rotate, unit suffixes (`rotate_left_rad`);
  and prose, clause by clause, for the axes the items leave open, each clause holding one value (a range
  reads as its midpoint) and one direction (`moves 0.4 m to the right`,
  `pans left by about 30 degrees`, `backs up by 0.8 m`, `向右移动0.3米`). cm, mm, feet and inches convert to meters,
  radians to degrees. Two values for one component, or `either ... or ...`, score 0. Errors relative to the ground truth (absolute where it is 0); the mean of the five
  components. A response with no such item scores 0, and so does a motion cut inside its last item,
  opposite keys of one axis that disagree, prose that gives the opposite direction of an item, two alternative
  motions, or a direction named without an amount.

Every pattern runs in time linear in the response length (tests/test_strict_protocol.py checks shapes up to
1 MB). Whatever cannot be read scores 0 and records why (`unparsed_reason`); the share of such responses is
reported per task as `parse_failure_rate`. The agreement of these rules with a careful human grader is
measured on tests/data/agreement_corpus.jsonl and nine held-out sets (`agreement_holdout_*.jsonl`, their
first measurements in CHANGELOG.md) by `python benchmarks/bench_agreement.py [--corpus PATH]`.

## Every rule, with an example

| rule | why | task | response | answer | strict | official |
|---|---|---|---|---|---:|---:|
"""


OTHER_HARNESSES = """
## Other harnesses' outputs

`spar-bench score` re-scores what other harnesses wrote, so that a reported number can be put next to a
reproduction read by the same rules:

- lmms-eval samples logs of its built-in `sparbench` task, 0.6 (`filtered_resps: ["text"]`) and 0.7
  (`filtered_resps: "text"`, `resps` kept only when reasoning was stripped) shapes: the id, task, question and
  answer come from the `sparbench_score` record (or `doc`), the response from `filtered_resps`.
- VLMEvalKit `SparBench` prediction files, `.tsv` or `.xlsx` (`<model>_SparBench.xlsx`): the dataset's TSV
  columns without the image plus `prediction`; the task is read from `task` (or `category`). `.xlsx` needs
  openpyxl (`pip install 'spar-bench[vlmevalkit]'`); `.tsv` needs nothing. An empty prediction cell is the
  empty response, as VLMEvalKit scores it.

```
spar-bench score Qwen2.5-VL-7B_SparBench.xlsx --data full --json qwen.json
# dataset full: 7207 of 7207 questions matched (7207 by task, question and answer); every question answered; fingerprint ...
```

`--data SOURCE` matches every prediction to a question of the dataset and checks it: by id when the dataset
has that id with the same task and answer (and question, when the file carries one), otherwise by task,
question text and answer (VLMEvalKit's `index` is its own row number, not the dataset's id). Answers compare
as numbers where both are numbers (a spreadsheet keeps `4.0` as `4`). A prediction that matches no question
stops the command (exit 2): the file was made on another dataset or revision. The summary names the dataset,
how many of its questions were answered and its fingerprint; `--json` adds a `dataset` block with the
fingerprint of the answered questions, equal to the dataset's when every question was answered. Questions that
are identical in task, text and answer are matched in file order; their scores do not depend on which is
which, but their images might, so the explorer may show such a response beside the other copy's images.

`spar-bench submit prepare` packs both kinds too: an lmms-eval output folder with built-in `sparbench` logs,
and a VLMEvalKit file with `--data SOURCE` (its rows get the dataset's ids and question texts); the bundle is
then verified like any other (`submit verify`), and `spar-bench explore` shows it.
"""


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\\\|").replace("`", "'") + "`" if text else "(empty)"


def render() -> str:
    strict, official = StrictProtocol(), OfficialProtocol()
    rows = []
    for ex in RULE_EXAMPLES:
        s = strict.score(ex.task, ex.prediction, ex.answer, ex.question).score
        o = official.score(ex.task, ex.prediction, ex.answer, ex.question).score
        rows.append(
            f"| {ex.rule} | {ex.why} | {ex.task} | {_cell(ex.prediction)} | {_cell(ex.answer)} | {s:.2f} | {o:.2f} |\n"
        )
    questions = sorted({ex.question for ex in RULE_EXAMPLES if ex.question})
    footer = "\nThe multiple-choice examples use the question: " + "; ".join(f"`{q}`" for q in questions) + "\n"
    return INTRO + "".join(rows) + footer + OTHER_HARNESSES


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
