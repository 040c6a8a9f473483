"""Rewrite the regression pins in tests/pins/: fixed prediction sets over the embedded `synth` set and the
scores both protocols give them. Run it only when a score change is intended, and say why in the commit:

    python scripts/update_pins.py          # rewrite
    python scripts/update_pins.py --check  # exit 1 if the pins are stale (what tests/test_regression_pins.py does)

Sets: `oracle` (reference answers), `frequency` (most frequent answer per task), `random_seed0` (the seeded
random baseline) and `messy` (verbose, oddly formatted, partly wrong responses, built deterministically from
the reference answers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

PINS = Path(__file__).resolve().parents[1] / "tests" / "pins"
SETS = ("oracle", "frequency", "random_seed0", "messy")
TOLERANCE = 1e-9


def _number_forms(answer: str, k: int) -> str:
    value = float(answer)
    forms = [
        f"The distance is approximately {value:.2f} meters.",
        f"**{value * 1.25:.1f} m**",
        f"I estimate about {value * 100:.0f} cm.",
        f"{value:.1f}".replace(".", ","),
        f"Depth: ~{value * 0.8:.3f}m\n\nExplanation: the chair is near the table.",
        "I cannot determine the distance from these images.",
        f"Between {value * 0.5:.1f} and {value * 1.5:.1f} meters.",
        f'{{"answer": {value * 2:.2f}}}',
        "",
        f"{value}",
    ]
    return forms[k % len(forms)]


def _choice_forms(answer: str, k: int) -> str:
    wrong = "B" if answer != "B" else "C"
    forms = [
        f"The answer is {answer}.",
        f"({answer.lower()})",
        f"**{wrong}**",
        f"Answer: {answer}\nBecause the lamp is to the left.",
        f"{answer} or {wrong}",
        f"Option {wrong} is correct since it is closer.",
        "None of the options.",
        f"{answer}",
        f"I think it's {answer}, but possibly {wrong}.",
        "",
    ]
    return forms[k % len(forms)]


def _motion_forms(answer: str, k: int) -> str:
    items = [item.partition(":") for item in answer.split(",")]
    forms = [
        answer,
        ", ".join(f"{key}: {value}" for key, _, value in items),
        ",".join(f"{key}:{float(value) * 1.5:.2f}" for key, _, value in items),
        "The camera moved forward and turned left slightly.",
        "\n".join(f"{key}={value}" for key, _, value in items),
        "",
    ]
    return forms[k % len(forms)]


def messy_response(task: str, answer: str, question_id: int) -> str:
    """A realistic, oddly formatted response to a question, chosen by its id (no randomness)."""
    from spar_bench.tasks_spec import TASKS_BY_ID, AnswerKind

    kind = TASKS_BY_ID[task].answer_kind
    if kind is AnswerKind.NUMBER:
        return _number_forms(answer, question_id)
    if kind is AnswerKind.CHOICE:
        return _choice_forms(answer, question_id)
    return _motion_forms(answer, question_id)


def build_sets() -> dict[str, list[dict]]:
    """{set name: prediction records (id, task, answer, prediction, question)} over the synth set."""
    from spar_bench.data import load_questions
    from spar_bench.model_adapters.baselines import BaselineQuestion, FrequencyBaseline, OracleBaseline, RandomBaseline

    questions = load_questions("synth")
    baseline_questions = [BaselineQuestion(q.id, q.task, q.question, q.answer) for q in questions]
    responses = {
        "oracle": OracleBaseline().answer(baseline_questions),
        "frequency": FrequencyBaseline().answer(baseline_questions),
        "random_seed0": RandomBaseline(seed=0).answer(baseline_questions),
        "messy": [messy_response(q.task, q.answer, q.id) for q in questions],
    }
    return {
        name: [
            {"id": q.id, "task": q.task, "answer": q.answer, "prediction": p, "question": q.question}
            for q, p in zip(questions, predictions)
        ]
        for name, predictions in responses.items()
    }


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def score_file(path: Path) -> tuple[dict, dict[str, list[float]]]:
    """(summary_json of both protocols with seeded intervals, {protocol: per-sample scores in file order})."""
    from spar_bench.protocols import PROTOCOL_NAMES
    from spar_bench.scoring import read_predictions, score_predictions, summarize_scores, summary_json

    predictions = read_predictions([path])
    scored = score_predictions(predictions, PROTOCOL_NAMES)
    summary = summary_json(summarize_scores(scored), predictions)
    for block in summary.values():
        block.pop("package_version")  # a release bump is not a score change
    return summary, {name: batch.scores.tolist() for name, batch in scored.items()}


def write_pins(folder: Path = PINS) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    summaries, samples = {}, {}
    for name, records in build_sets().items():
        path = folder / f"{name}.jsonl"
        path.write_text(jsonl(records), encoding="utf-8")
        summaries[name], samples[name] = score_file(path)
    (folder / "summaries.json").write_text(json.dumps(summaries, indent=1, sort_keys=True) + "\n")
    (folder / "sample_scores.json").write_text(json.dumps(samples, sort_keys=True) + "\n")


def differences(expected: object, actual: object, where: str = "") -> list[str]:
    """Where two JSON values differ; numbers compare within TOLERANCE."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{where}/{k}: missing" for k in expected if k not in actual]
        out += [f"{where}/{k}: unexpected" for k in actual if k not in expected]
        for k in expected.keys() & actual.keys():
            out += differences(expected[k], actual[k], f"{where}/{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items pinned, {len(actual)} now"]
        return [d for i, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(expected, numbers) and isinstance(actual, numbers) and not isinstance(expected, bool):
        return [] if abs(expected - actual) <= TOLERANCE else [f"{where}: pinned {expected!r}, now {actual!r}"]
    return [] if expected == actual else [f"{where}: pinned {expected!r}, now {actual!r}"]


def check(folder: Path = PINS) -> list[str]:
    """Every difference between the pins and what the code computes now."""
    problems = []
    pinned_summaries = json.loads((folder / "summaries.json").read_text())
    pinned_samples = json.loads((folder / "sample_scores.json").read_text())
    for name, records in build_sets().items():
        path = folder / f"{name}.jsonl"
        if path.read_text(encoding="utf-8") != jsonl(records):
            problems.append(f"{name}.jsonl: the prediction set is not what scripts/update_pins.py builds")
        summary, samples = score_file(path)
        problems += differences(pinned_summaries.get(name), summary, f"{name}")
        problems += differences(pinned_samples.get(name), samples, f"{name}:samples")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of rewriting; exit 1 when stale")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems[:50]:
            print(problem)
        return 1 if problems else 0
    write_pins()
    print(f"pins rewritten in {PINS}; a changed score is a decision: say in CHANGELOG.md's Scores section what moved")
    print("and by how much, with these digests (tests/test_changelog.py checks them):")
    for name in ("summaries.json", "sample_scores.json"):
        digest = hashlib.sha256((PINS / name).read_bytes()).hexdigest()
        print(f"  `tests/pins/{name}` sha256 `{digest}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
