"""Submissions: a run packed into a bundle, and every way an untrusted bundle is rejected."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import tarfile
import time
from pathlib import Path

import pytest

from spar_bench.cli import submit as cli_submit
from spar_bench.data import load_questions
from spar_bench.lmms.tasks import process_results
from spar_bench.results import add as adding
from spar_bench.results import bundle as bundle_format
from spar_bench.results.bundle import Limits, write_bundle
from spar_bench.results.prepare import prepare
from spar_bench.results.verify import verify
from spar_bench.runner import run
from spar_bench.scoring import read_predictions, score_predictions, summarize_scores, summary_json


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run")
    run(model="spar_random", model_args={"seed": "4"}, tasks=["spar_bench_synth"], output=out, show_progress=False)
    return out


@pytest.fixture(scope="module")
def good_bundle(run_dir, tmp_path_factory) -> Path:
    return prepare(run_dir, "Random (seed 4)", "SPAR-Bench authors", tmp_path_factory.mktemp("b") / "random.tar.gz")


@pytest.fixture
def parts(good_bundle) -> tuple[dict, list[dict]]:
    """(manifest, prediction records) of the good bundle, to be spoiled by a test."""
    with tarfile.open(good_bundle) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        lines = tar.extractfile("predictions.jsonl").read().decode().splitlines()
    return manifest, [json.loads(line) for line in lines]


def rebuild(
    path: Path,
    manifest: dict,
    records: list[dict] | None = None,
    *,
    predictions: bytes | None = None,
    fix_hash: bool = True,
    extra=(),
) -> Path:
    """A bundle from (possibly spoiled) parts; by default the manifest's hash and count follow the predictions,
    so a test sees only the problem it planted."""
    if predictions is None:
        predictions = "".join(json.dumps(r) + "\n" for r in records).encode()
    if fix_hash:
        manifest = {
            **manifest,
            "predictions_sha256": hashlib.sha256(predictions).hexdigest(),
            "n_predictions": len(predictions.decode(errors="replace").splitlines()),
        }
    return write_bundle(path, json.dumps(manifest).encode(), predictions, extra)


def raw_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb") as gz,
        tarfile.open(fileobj=gz, mode="w") as tar,
    ):
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_info(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def assert_rejected(verdict, code: str) -> None:
    assert not verdict.ok
    assert code in verdict.codes, verdict.reasons
    assert verdict.scores is None and verdict.entry is None


# ---------------------------------------------------------------- accepted


def test_prepare_then_verify_accepts_a_runner_folder_and_rescores_it(run_dir, good_bundle):
    verdict = verify(good_bundle)
    assert verdict.ok and verdict.reasons == ()
    results = json.loads((run_dir / "results.json").read_text())
    for protocol in ("strict", "official"):
        assert verdict.scores[protocol]["overall"] == pytest.approx(results["protocols"][protocol]["overall"], abs=1e-9)
    entry = verdict.entry
    assert entry["model"]["name"] == "Random (seed 4)" and entry["model"]["adapter"] == "spar_random"
    assert entry["dataset"]["split"] == "synth" and entry["n_questions"] == 200
    assert entry["dataset"]["fingerprint"] == results["metadata"]["dataset_fingerprint"]


def test_bundle_holds_exactly_manifest_and_predictions_and_is_reproducible(run_dir, good_bundle, tmp_path):
    with tarfile.open(good_bundle) as tar:
        assert tar.getnames() == ["manifest.json", "predictions.jsonl"]
    again = prepare(run_dir, "Random (seed 4)", "SPAR-Bench authors", tmp_path / "again.tar.gz")
    assert again.read_bytes() == good_bundle.read_bytes()


def write_lmms_output(folder: Path, predictions: dict[int, str]) -> Path:
    """An lmms-eval output folder as `--log_samples` leaves it: one samples log per task, lines holding the
    `spar_sample` record our process_results returns, and a results file with the run's config."""
    run_folder = folder / "my__model"
    run_folder.mkdir(parents=True)
    by_task: dict[str, list[str]] = {}
    for k, q in enumerate(load_questions("synth")):
        doc = {"id": q.id, "task": q.task, "question": q.question, "answer": q.answer}
        prediction = predictions.get(q.id, q.answer)
        metrics = process_results(doc, [prediction])
        line = {
            "doc_id": k,
            "doc": doc,
            "target": q.answer,
            "arguments": {},
            "resps": [[prediction]],
            "filtered_resps": [prediction],
            "doc_hash": "x",
            **metrics,
        }
        by_task.setdefault(q.task, []).append(json.dumps(line))
    for task, lines in by_task.items():
        (run_folder / f"20250101_120000_samples_spar_bench_synth_{task}.jsonl").write_text("\n".join(lines) + "\n")
    (run_folder / "20250101_120000_results.json").write_text(
        json.dumps(
            {
                "results": {},
                "config": {"model": "spar_hf", "model_args": "pretrained=org/ckpt,max_pixels=200704"},
                "configs": {"spar_bench_synth_depth_prediction_oc": {"generation_kwargs": {"max_new_tokens": 100}}},
                "date": "2025-01-01T12:00:00",
            }
        )
    )
    return folder


def test_prepare_then_verify_accepts_an_lmms_eval_samples_folder(tmp_path):
    folder = write_lmms_output(tmp_path / "lmms", {0: "99", 1: "Z"})
    bundle = prepare(folder, "Checkpoint 7", "Lab", tmp_path / "lmms.tar.gz")
    verdict = verify(bundle)
    assert verdict.ok, verdict.reasons
    assert verdict.entry["model"]["adapter"] == "spar_hf"
    assert verdict.entry["image_limits"] == {"max_pixels": "200704"}
    assert verdict.entry["date"] == "2025-01-01"
    assert 0 < verdict.scores["strict"]["overall"] < 100


def test_claimed_scores_and_bundle_answers_are_never_trusted(parts, good_bundle, tmp_path):
    manifest, records = parts
    manifest["claimed_scores"] = {"strict": {"overall": 100.0}, "official": {"overall": 100.0}}
    for r in records:
        r["answer"] = r["prediction"]  # a bundle that says every prediction is right
    verdict = verify(rebuild(tmp_path / "liar.tar.gz", manifest, records))
    assert verdict.ok
    assert verdict.scores["strict"]["overall"] == pytest.approx(verify(good_bundle).scores["strict"]["overall"])
    assert verdict.scores["strict"]["overall"] < 100


def test_rescoring_equals_offline_scoring_of_the_run(run_dir, good_bundle):
    predictions = read_predictions([run_dir / "predictions.jsonl"])
    expected = summary_json(summarize_scores(score_predictions(predictions, ["strict", "official"])), predictions)
    assert verify(good_bundle).scores["official"]["tasks"] == expected["official"]["tasks"]


# ---------------------------------------------------------------- rejected: the archive


def test_oversized_bundle_is_rejected_before_it_is_opened(good_bundle):
    assert_rejected(verify(good_bundle, limits=Limits(max_bundle_bytes=1000)), "bundle_too_large")


def test_compression_bomb_is_stopped_at_the_decompressed_cap(parts, tmp_path):
    manifest, _ = parts
    bomb = rebuild(tmp_path / "bomb.tar.gz", manifest, predictions=b" " * (64 * 2**20), fix_hash=False)
    assert bomb.stat().st_size < 200_000
    started = time.perf_counter()
    verdict = verify(bomb, limits=Limits(max_decompressed_bytes=2 * 2**20))
    assert_rejected(verdict, "decompressed_too_large")
    assert time.perf_counter() - started < 2.0


def test_member_name_climbing_out_is_rejected(parts, tmp_path):
    manifest, records = parts
    bundle = rebuild(tmp_path / "climb.tar.gz", manifest, records, extra=[("../../evil.json", b"{}")])
    assert_rejected(verify(bundle), "unsafe_member_name")


def test_absolute_member_name_is_rejected(tmp_path):
    bundle = raw_tar(tmp_path / "abs.tar.gz", [(file_info("/etc/cron.d/x"), b"x")])
    assert_rejected(verify(bundle), "unsafe_member_name")


def test_link_member_is_rejected(tmp_path):
    link = tarfile.TarInfo("predictions.jsonl")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    bundle = raw_tar(tmp_path / "link.tar.gz", [(file_info("manifest.json"), b"{}"), (link, None)])
    assert_rejected(verify(bundle), "link_member")


def test_device_or_directory_member_is_rejected(tmp_path):
    device = tarfile.TarInfo("manifest.json")
    device.type = tarfile.CHRTYPE
    bundle = raw_tar(tmp_path / "dev.tar.gz", [(device, None)])
    assert_rejected(verify(bundle), "special_member")


def test_extra_member_is_rejected(parts, tmp_path):
    manifest, records = parts
    bundle = rebuild(tmp_path / "extra.tar.gz", manifest, records, extra=[("model.pkl", b"\x80\x04K\x01.")])
    assert_rejected(verify(bundle), "unexpected_member")


def test_missing_member_is_rejected(tmp_path):
    bundle = raw_tar(tmp_path / "half.tar.gz", [(file_info("manifest.json"), b"{}")])
    assert_rejected(verify(bundle), "missing_member")


def test_zip_or_plain_file_is_not_a_bundle(tmp_path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(b"PK\x03\x04rest")
    assert_rejected(verify(path), "not_a_bundle")


def test_truncated_archive_is_corrupt(good_bundle, tmp_path):
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(good_bundle.read_bytes()[:500])
    assert_rejected(verify(path), "corrupt_bundle")


# ---------------------------------------------------------------- rejected: the JSON


def test_deeply_nested_json_line_is_rejected(parts, tmp_path):
    manifest, records = parts
    deep = ("[" * 5000 + "]" * 5000).encode()
    body = "".join(json.dumps(r) + "\n" for r in records).encode() + deep + b"\n"
    assert_rejected(verify(rebuild(tmp_path / "deep.tar.gz", manifest, predictions=body)), "json_too_deep")


def test_deeply_nested_manifest_is_rejected(parts, tmp_path):
    manifest, records = parts
    nested: dict = {}
    for _ in range(100):
        nested = {"x": nested}
    manifest["model"]["model_args"] = nested
    assert_rejected(verify(rebuild(tmp_path / "deepm.tar.gz", manifest, records)), "json_too_deep")


def test_malformed_json_line_is_rejected(parts, tmp_path):
    manifest, records = parts
    body = "".join(json.dumps(r) + "\n" for r in records).encode() + b'{"id": 1, "task": \n'
    verdict = verify(rebuild(tmp_path / "bad.tar.gz", manifest, predictions=body))
    assert_rejected(verdict, "malformed_json")
    assert "line 201" in str(verdict.reasons[0])


def test_nan_and_repeated_keys_are_malformed(parts, tmp_path):
    manifest, records = parts
    body = "".join(json.dumps(r) + "\n" for r in records[1:]).encode()
    body += b'{"id": 0, "id": 1, "task": "depth_prediction_oc", "prediction": NaN}\n'
    assert_rejected(verify(rebuild(tmp_path / "nan.tar.gz", manifest, predictions=body)), "malformed_json")


def test_manifest_without_model_name_is_rejected(parts, tmp_path):
    manifest, records = parts
    manifest["model"]["name"] = ""
    assert_rejected(verify(rebuild(tmp_path / "noname.tar.gz", manifest, records)), "manifest_schema")


def test_overlong_line_is_rejected(parts, tmp_path):
    manifest, records = parts
    records[0]["prediction"] = "x" * 100_000
    assert_rejected(verify(rebuild(tmp_path / "long.tar.gz", manifest, records)), "line_too_long")


# ---------------------------------------------------------------- rejected: the predictions


def test_line_with_a_missing_field_is_rejected(parts, tmp_path):
    manifest, records = parts
    del records[3]["prediction"]
    assert_rejected(verify(rebuild(tmp_path / "field.tar.gz", manifest, records)), "missing_field")


def test_unknown_task_is_rejected(parts, tmp_path):
    manifest, records = parts
    records[0]["task"] = "depth_prediction_ocx"
    assert_rejected(verify(rebuild(tmp_path / "task.tar.gz", manifest, records)), "unknown_task")


def test_task_differing_from_the_reference_question_is_rejected(parts, tmp_path):
    manifest, records = parts
    records[0]["task"] = next(r["task"] for r in records if r["task"] != records[0]["task"])
    assert_rejected(verify(rebuild(tmp_path / "swap.tar.gz", manifest, records)), "task_mismatch")


def test_failed_request_is_rejected(parts, tmp_path):
    manifest, records = parts
    records[0] = {**records[0], "prediction": None, "error": "HTTP 500"}
    assert_rejected(verify(rebuild(tmp_path / "failed.tar.gz", manifest, records)), "failed_request")


def test_duplicate_id_is_rejected(parts, tmp_path):
    manifest, records = parts
    verdict = verify(rebuild(tmp_path / "dup.tar.gz", manifest, [*records, records[5]]))
    assert_rejected(verdict, "duplicate_id")
    assert verdict.codes == ["duplicate_id"]


def test_missing_id_is_rejected(parts, tmp_path):
    manifest, records = parts
    verdict = verify(rebuild(tmp_path / "missing.tar.gz", manifest, records[:-3]))
    assert_rejected(verdict, "missing_id")
    assert "3 question(s)" in str(verdict.reasons[0])


def test_unknown_id_is_rejected(parts, tmp_path):
    manifest, records = parts
    verdict = verify(rebuild(tmp_path / "unknown.tar.gz", manifest, [*records, {**records[0], "id": 987654}]))
    assert verdict.codes == ["unknown_id"]


def test_wrong_fingerprint_is_rejected(parts, tmp_path):
    manifest, records = parts
    manifest["dataset"]["fingerprint"] = "0" * 64
    assert_rejected(verify(rebuild(tmp_path / "fp.tar.gz", manifest, records)), "fingerprint_mismatch")


def test_predictions_hash_mismatch_is_rejected(parts, tmp_path):
    manifest, records = parts
    records[0]["prediction"] = "changed after the manifest was written"
    verdict = verify(rebuild(tmp_path / "sha.tar.gz", manifest, records, fix_hash=False))
    assert_rejected(verdict, "sha256_mismatch")


def test_split_claim_must_match_the_reference(parts, tmp_path):
    manifest, records = parts
    manifest["dataset"]["split"] = "full"
    verdict = verify(rebuild(tmp_path / "split.tar.gz", manifest, records), data_source="synth")
    assert_rejected(verdict, "split_mismatch")


def test_many_problems_of_one_kind_are_summarised(parts, tmp_path):
    manifest, records = parts
    for r in records[:50]:
        r["task"] = "no_such_task"
    verdict = verify(rebuild(tmp_path / "many.tar.gz", manifest, records))
    assert len(verdict.reasons) == 21 and "30 more" in str(verdict.reasons[-1])


def test_non_embedded_source_needs_reference_data(parts, tmp_path):
    manifest, records = parts
    manifest["dataset"]["source"] = "full"
    with pytest.raises(bundle_format.ReferenceDataRequired, match="--data"):
        verify(rebuild(tmp_path / "full.tar.gz", manifest, records))


# ---------------------------------------------------------------- prepare refuses


def test_prepare_refuses_a_run_with_failed_requests(run_dir, tmp_path):
    broken = tmp_path / "run"
    broken.mkdir()
    (broken / "results.json").write_text((run_dir / "results.json").read_text())
    lines = (run_dir / "predictions.jsonl").read_text().splitlines()
    first = {**json.loads(lines[0]), "prediction": None, "error": "timeout"}
    (broken / "predictions.jsonl").write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    with pytest.raises(bundle_format.PrepareError, match="failed"):
        prepare(broken, "m", "o", tmp_path / "x.tar.gz")


def test_prepare_refuses_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(bundle_format.PrepareError, match="neither"):
        prepare(tmp_path, "m", "o", tmp_path / "x.tar.gz")


# ---------------------------------------------------------------- command line and add


def parse(add_arguments, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_verify_command_exits_0_when_accepted(good_bundle, capsys):
    args = parse(cli_submit.add_verify_arguments, [str(good_bundle)])
    assert args.run(args) == 0
    assert "ACCEPTED" in capsys.readouterr().out


def test_verify_command_prints_each_reason_and_exits_1(parts, tmp_path, capsys):
    manifest, records = parts
    manifest["dataset"]["fingerprint"] = "1" * 64
    bundle = rebuild(tmp_path / "two.tar.gz", manifest, [*records[1:], records[1]])
    args = parse(cli_submit.add_verify_arguments, [str(bundle), "--data", "synth"])
    assert args.run(args) == 1
    err = capsys.readouterr().err
    assert "REJECTED" in err and "duplicate_id" in err and "missing_id" in err and "fingerprint_mismatch" in err


def test_prepare_command_writes_a_bundle(run_dir, tmp_path):
    args = parse(
        cli_submit.add_prepare_arguments,
        [str(run_dir), "--model-name", "M", "--org", "O", "--out", str(tmp_path / "m.tar.gz")],
    )
    assert args.run(args) == 0 and verify(tmp_path / "m.tar.gz").ok


def test_add_writes_the_entry_inside_the_entries_folder_whatever_the_name(run_dir, tmp_path):
    bundle = prepare(run_dir, "../../<script>alert(1)</script>", "Org", tmp_path / "hostile.tar.gz")
    entries = tmp_path / "entries"
    args = parse(cli_submit.add_add_arguments, [str(bundle), "--entries", str(entries)])
    assert args.run(args) == 0
    (written,) = entries.iterdir()
    assert written.resolve().parent == entries.resolve()
    entry = json.loads(written.read_text())
    assert entry["model"]["name"] == "../../<script>alert(1)</script>"  # kept as text; the page escapes it
    assert entry["scores"]["strict"]["overall"] == verify(bundle).scores["strict"]["overall"]


def test_entry_variant_records_the_runs_generation_budget_and_engine(good_bundle):
    variant = verify(good_bundle).entry["variant"]
    assert variant["max_new_tokens"] == 100 and variant["engine"] == "baseline"
    assert variant["trained_on_spar7m"] is None and variant["precision"] is None


def test_trained_on_spar7m_travels_from_prepare_and_from_add(run_dir, tmp_path):
    args = parse(
        cli_submit.add_prepare_arguments,
        [
            str(run_dir),
            "--model-name",
            "M",
            "--org",
            "O",
            "--out",
            str(tmp_path / "m.tar.gz"),
            "--trained-on-spar7m",
            "yes",
        ],
    )
    assert args.run(args) == 0 and verify(tmp_path / "m.tar.gz").entry["variant"]["trained_on_spar7m"] is True
    args = parse(
        cli_submit.add_add_arguments,
        [str(tmp_path / "m.tar.gz"), "--entries", str(tmp_path / "e"), "--trained-on-spar7m", "no"],
    )
    assert args.run(args) == 0
    (written,) = (tmp_path / "e").iterdir()
    assert json.loads(written.read_text())["variant"]["trained_on_spar7m"] is False


def test_add_writes_nothing_for_a_rejected_bundle(parts, tmp_path):
    manifest, records = parts
    bundle = rebuild(tmp_path / "dup.tar.gz", manifest, [*records, records[0]])
    verdict, path = adding.add(bundle, tmp_path / "entries")
    assert not verdict.ok and path is None and not any((tmp_path / "entries").glob("*"))


def test_add_refuses_a_writer_that_lands_outside_the_folder(good_bundle, tmp_path):
    def careless_writer(entry, folder):
        path = Path(folder).parent / "escaped.json"
        path.write_text(json.dumps(entry))
        return path

    with pytest.raises(bundle_format.SubmissionError, match="outside"):
        adding.add(good_bundle, tmp_path / "entries", write_entry=careless_writer, validate_entry=lambda e: [])
    assert not (tmp_path / "escaped.json").exists()


def test_nesting_depth_ignores_brackets_in_strings_and_scans_hostile_text_in_linear_time():
    assert bundle_format.json_nesting_depth(json.dumps({"a": "[[[{", "b": [[1, {"c": 'x\\"]'}]]})) == 4
    hostile = '"' + '\\"' * 60_000  # quadratic for a naive string regex
    started = time.perf_counter()
    bundle_format.json_nesting_depth(hostile)
    assert time.perf_counter() - started < 0.5
