"""spar_hf next to lmms-eval's own `qwen2_5_vl` backend, on one random-weight Qwen2.5-VL-3B-shaped model and
one set of SPAR-like questions, interleaved round by round in one process (timings on one GPU vary up to 2x
between runs: only figures from the same call compare).

    python benchmarks/bench_hf_gpu.py                       # GPU: 3B-shaped, 64 questions, 100 new tokens, 3 rounds
    python benchmarks/bench_hf_gpu.py --tiny                # CPU: a tiny model, small images, in a minute or two
    python benchmarks/bench_hf_gpu.py --lmms-batch-sizes 1,8,32 --spar-static-cache

The model is built from a config (no hub, no download) with the byte-level tokenizer of
tests/fixtures/tiny_models.py, saved to a folder, and loaded from there by both backends. The questions hold
640 x 480 JPEG images (two each, three for every twentieth question: 131 images for 64 questions) and about
1,250 prompt tokens. Both sides generate greedily with no stop string, so they produce the same number of
tokens. For each side and round it prints samples/s and tokens/s (wall time of the whole call, preprocessing
included), ms per step (`generate()` wall time per generated position, prefill included) and peak CUDA memory
above what was resident before the call; then the median over rounds and the ratio of spar_hf to lmms-eval's
best batch size. lmms-eval's side needs `lmms_eval`, `decord` and `qwen_vl_utils`; without them it is
skipped with the reason printed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TASK = "spar_bench_gpu"
SPLIT = "test"


def _import_spar_hf():
    """`spar_bench.model_adapters.hf`, installed or straight from this checkout (a bare GPU machine)."""
    try:
        from spar_bench.model_adapters import hf
    except ModuleNotFoundError:  # a plain checkout imports model_adapters/ as spar_bench.model_adapters
        sys.path.insert(0, str(REPO))
        from spar_bench.model_adapters import hf
    return hf


# --- the model ---------------------------------------------------------------------------------------------

# Qwen2.5-VL-3B-Instruct's shape, as its config.json gives it.
FULL_TEXT = {
    "hidden_size": 2048,
    "intermediate_size": 11008,
    "num_hidden_layers": 36,
    "num_attention_heads": 16,
    "num_key_value_heads": 2,
    "vocab_size": 151936,
    "max_position_embeddings": 128000,
    "tie_word_embeddings": True,
    "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0, "mrope_section": [16, 24, 24]},
}
FULL_VISION = {
    "depth": 32,
    "hidden_size": 1280,
    "intermediate_size": 3420,
    "num_heads": 16,
    "out_hidden_size": 2048,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
    "window_size": 112,
    "fullatt_block_indexes": [7, 15, 23, 31],
}
TINY_TEXT = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "vocab_size": 272,
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
    "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]},  # head_dim 16
}
TINY_VISION = {
    "depth": 1,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_heads": 2,
    "out_hidden_size": 32,
    "patch_size": 14,
    "spatial_merge_size": 2,
    "temporal_patch_size": 2,
    "window_size": 112,
    "fullatt_block_indexes": [0],
}
# lmms-eval's qwen2_5_vl defaults, used on both sides: a 640 x 480 image becomes 391 image tokens.
MIN_PIXELS, MAX_PIXELS = 256 * 28 * 28, 1605632


def build_model(folder: Path, tiny: bool, device: str) -> Path:
    """Write a random-weight Qwen2.5-VL checkpoint (3B-shaped, or tiny) in bfloat16 to `folder`."""
    import torch
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLImageProcessor,
        Qwen2VLVideoProcessor,
    )

    sys.path.insert(0, str(REPO / "tests"))
    from fixtures.tiny_models import _QWEN_TEMPLATE, byte_tokenizer, token_id

    tokenizer = byte_tokenizer("<|image_pad|>")
    eos, pad = token_id(tokenizer, "<|im_end|>"), token_id(tokenizer, "<|endoftext|>")
    text = dict(TINY_TEXT if tiny else FULL_TEXT, eos_token_id=eos, pad_token_id=pad, bos_token_id=None)
    config = Qwen2_5_VLConfig(
        text_config=text,
        vision_config=TINY_VISION if tiny else FULL_VISION,
        image_token_id=token_id(tokenizer, "<|image_pad|>"),
        video_token_id=token_id(tokenizer, "<|video_pad|>"),
        vision_start_token_id=token_id(tokenizer, "<|vision_start|>"),
        vision_end_token_id=token_id(tokenizer, "<|vision_end|>"),
        tie_word_embeddings=text["tie_word_embeddings"],
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2_5_VLForConditionalGeneration(config).to(torch.bfloat16)
    # Ids past the byte tokenizer's 264 decode to nothing; only the timing matters here, not the text.
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = pad
    model.generation_config.bos_token_id = None
    pixels = (
        {"min_pixels": 28 * 28, "max_pixels": 56 * 56} if tiny else {"min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS}
    )
    processor = Qwen2_5_VLProcessor(
        image_processor=Qwen2VLImageProcessor(**pixels),
        video_processor=Qwen2VLVideoProcessor(**pixels),
        tokenizer=tokenizer,
        chat_template=_QWEN_TEMPLATE,
    )
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    tokenizer.save_pretrained(folder)  # lmms-eval loads AutoTokenizer from the folder too
    del model
    return folder


# --- the questions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    question_id: int
    prompt: str
    images: tuple[bytes, ...]  # JPEG


def build_questions(n: int, tiny: bool) -> list[Question]:
    """`n` SPAR-like questions: two photos-like JPEGs each (three for every twentieth), 640 x 480 (64 x 48
    with `tiny`), and a prompt whose length varies so that batches need padding (about 1,250 prompt tokens
    on average at full size, counting 391 tokens per image)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    width, height = (64, 48) if tiny else (640, 480)
    questions = []
    for question_id in range(n):
        n_images = 3 if question_id % 20 == 19 else 2
        images = []
        for _ in range(n_images):
            # Smooth gradients plus noise: JPEG sizes like a photo's, not a flat colour's.
            base = np.linspace(0, 255, width, dtype=np.float32)[None, :, None] * rng.uniform(0.3, 1.0, 3)
            pixels = np.clip(base + rng.normal(0, 25, (height, width, 3)), 0, 255).astype(np.uint8)
            buffer = io.BytesIO()
            Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
            images.append(buffer.getvalue())
        text_bytes = int(rng.integers(20, 60)) if tiny else max(40, int(rng.normal(315, 100)) - 391 * (n_images - 2))
        context = ("The camera moved between the two views; the chair is left of the table. " * 20)[:text_bytes]
        prompt = f"{context}\nWhich object is closer to the camera in the second view? A. chair B. table\nAnswer with the letter."
        questions.append(Question(question_id, prompt, tuple(images)))
    return questions


# --- measurement -------------------------------------------------------------------------------------------


@dataclass
class GenerateSpy:
    """Wraps a model's `generate`: wall time and generated positions per call, completion tokens per row."""

    eos: int
    pad: int
    seconds: float = 0.0
    steps: int = 0
    completion_tokens: int = 0
    calls: int = 0

    def wrap(self, model) -> None:
        import torch

        original = model.generate

        def generate(*args, **kwargs):
            cuda = torch.cuda.is_available()
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
            output = original(*args, **kwargs)
            if cuda:
                torch.cuda.synchronize()
            self.seconds += time.perf_counter() - start
            new = output[:, kwargs["input_ids"].shape[1] :]
            self.steps += new.shape[1]
            self.calls += 1
            for row in new.tolist():
                length = next((i + 1 for i, token in enumerate(row) if token == self.eos), None)
                if length is None:
                    length = len(row)
                    while length and row[length - 1] == self.pad:
                        length -= 1
                self.completion_tokens += length
            return output

        model.generate = generate

    def reset(self) -> None:
        self.seconds, self.steps, self.completion_tokens, self.calls = 0.0, 0, 0, 0


@dataclass
class Side:
    """One backend at one setting: `answer(questions)` runs it; its spy counts what `generate` did."""

    name: str
    answer: object
    spy: GenerateSpy
    rounds: list[dict] = field(default_factory=list)


def measure(side: Side, questions: list[Question]) -> dict:
    import torch

    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
        resident = torch.cuda.memory_allocated()
    side.spy.reset()
    start = time.perf_counter()
    n_answers = side.answer(questions)
    if cuda:
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    if n_answers != len(questions):
        raise RuntimeError(f"{side.name}: {n_answers} answers for {len(questions)} questions")
    figures = {
        "samples": len(questions),
        "seconds": seconds,
        "samples_per_s": len(questions) / seconds,
        "tokens_per_s": side.spy.completion_tokens / seconds,
        "ms_per_step": 1000 * side.spy.seconds / max(1, side.spy.steps),
        "generate_calls": side.spy.calls,
        "peak_mib": (torch.cuda.max_memory_allocated() - resident) / 2**20 if cuda else None,
    }
    side.rounds.append(figures)
    return figures


def spar_side(hf, folder: Path, name: str, batch_size: int | None, tiny: bool, max_new_tokens: int, **options) -> Side:
    from spar_bench.model_adapters.base import GenerationSettings, Request

    pixels = {} if tiny else {"min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS}
    adapter = hf.HFAdapter(str(folder), dtype="bfloat16", batch_size=batch_size, **pixels, **options)
    settings = GenerationSettings(max_new_tokens=max_new_tokens, stop=())
    spy = GenerateSpy(eos=adapter.model.generation_config.eos_token_id, pad=adapter._pad_token_id())
    spy.wrap(adapter.model)

    def answer(questions: list[Question]) -> int:
        requests = [Request(q.question_id, TASK, q.prompt, q.images, settings) for q in questions]
        responses: list = []
        adapter.generate(requests, responses.append)
        failed = [r for r in responses if r.failed]
        if failed:
            raise RuntimeError(f"{name}: {len(failed)} requests failed, first: {failed[0].error}")
        return len(responses)

    side = Side(name, answer, spy)
    side.adapter = adapter
    return side


def lmms_qwen_model(folder: Path, tiny: bool, device: str):
    """lmms-eval's `qwen2_5_vl` on `folder`, or the reason it cannot run here (a string)."""
    try:
        import decord  # noqa: F401 - lmms-eval's qwen2_5_vl imports it at module level
        from lmms_eval.models.simple import qwen2_5_vl
    except Exception as error:
        return f"lmms-eval's qwen2_5_vl cannot be imported ({type(error).__name__}: {error}); it needs lmms-eval 0.7.3, decord and qwen-vl-utils"
    if not getattr(qwen2_5_vl, "_has_qwen_vl", False):
        return "lmms-eval's qwen2_5_vl needs qwen_vl_utils (pip install qwen-vl-utils)"
    pixels = (
        {"min_pixels": 28 * 28, "max_pixels": 56 * 56} if tiny else {"min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS}
    )
    try:
        return qwen2_5_vl.Qwen2_5_VL(pretrained=str(folder), device=device, device_map=device, batch_size=1, **pixels)
    except Exception as error:
        return f"lmms-eval's qwen2_5_vl could not load the random model ({type(error).__name__}: {error})"


def lmms_side(lmm, spy: GenerateSpy, name: str, batch_size: int, max_new_tokens: int) -> Side:
    """lmms-eval's `generate_until` at `batch_size` on Instances as its evaluator builds them; `spy` is the
    one wrapped around `lmm`'s model (shared by every batch size)."""
    from lmms_eval.api.instance import Instance
    from PIL import Image

    def doc_to_visual(doc: dict) -> list:
        # What a parquet-backed lmms-eval task does: decode the stored bytes to PIL images.
        return [Image.open(io.BytesIO(data)).convert("RGB") for data in doc["images"]]

    def answer(questions: list[Question]) -> int:
        lmm.batch_size_per_gpu = batch_size
        lmm.task_dict = {TASK: {SPLIT: {q.question_id: {"images": q.images} for q in questions}}}
        gen_kwargs = {"max_new_tokens": max_new_tokens, "temperature": 0, "until": ["\n\n"]}
        instances = [
            Instance(
                "generate_until",
                (q.prompt, dict(gen_kwargs), doc_to_visual, q.question_id, TASK, SPLIT),
                idx=0,
                metadata={"task": TASK, "doc_id": q.question_id, "repeats": 1},
            )
            for q in questions
        ]
        return len(lmm.generate_until(instances))

    return Side(name, answer, spy)


# --- report ------------------------------------------------------------------------------------------------


def _row(name: str, figures: dict) -> str:
    peak = "n/a (CPU)" if figures["peak_mib"] is None else f"{figures['peak_mib']:.0f} MiB"
    return (
        f"{name:<28} {figures['samples_per_s']:8.3f} samples/s {figures['tokens_per_s']:9.1f} tokens/s "
        f"{figures['ms_per_step']:8.2f} ms/step  peak {peak}"
    )


def median_figures(rounds: list[dict]) -> dict:
    keys = ("samples_per_s", "tokens_per_s", "ms_per_step", "seconds")
    figures = {key: statistics.median(r[key] for r in rounds) for key in keys}
    peaks = [r["peak_mib"] for r in rounds if r["peak_mib"] is not None]
    figures.update(samples=rounds[0]["samples"], peak_mib=max(peaks) if peaks else None, rounds=len(rounds))
    return figures


def main(argv: list[str] | None = None) -> dict:
    """Run the comparison; print a table per round and the medians; return the medians by side (plus
    `ratio`, spar_hf's samples/s over lmms-eval's best, when both ran; a skipped side holds `skipped`)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a tiny model and small images, for the CPU")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=None, help="64 (8 with --tiny)")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="100 (8 with --tiny)")
    parser.add_argument("--lmms-batch-sizes", default=None, help="comma separated; 8,32 (2 with --tiny)")
    parser.add_argument("--spar-batch-size", type=int, default=None, help="default: spar_hf's own choice")
    parser.add_argument("--spar-static-cache", action="store_true", help="also run spar_hf with static_cache")
    parser.add_argument("--spar-compile", action="store_true", help="also run spar_hf with static_cache and compile")
    parser.add_argument("--skip-lmms", action="store_true")
    parser.add_argument("--workdir", default=None, help="where the model is written (default: a temporary folder)")
    args = parser.parse_args(argv)

    import torch

    tiny = args.tiny
    device = "cuda" if torch.cuda.is_available() else "cpu"
    n_questions = args.questions or (8 if tiny else 64)
    max_new_tokens = args.max_new_tokens or (8 if tiny else 100)
    lmms_batches = [int(b) for b in (args.lmms_batch_sizes or ("2" if tiny else "8,32")).split(",")]
    spar_batch = args.spar_batch_size or (4 if tiny and device == "cpu" else None)
    hf = _import_spar_hf()

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="bench-hf-gpu-"))
    start = time.perf_counter()
    folder = build_model(workdir / "model", tiny, device)
    questions = build_questions(n_questions, tiny)
    print(f"device {device} ({torch.cuda.get_device_name() if device == 'cuda' else 'CPU'}), torch {torch.__version__}")
    print(
        f"model {'tiny' if tiny else 'Qwen2.5-VL-3B-shaped'} built in {time.perf_counter() - start:.1f} s; "
        f"{len(questions)} questions, {sum(len(q.images) for q in questions)} images, {max_new_tokens} new tokens, greedy"
    )

    sides = [spar_side(hf, folder, "spar_hf", spar_batch, tiny, max_new_tokens)]
    if args.spar_static_cache:
        sides.append(spar_side(hf, folder, "spar_hf static_cache", spar_batch, tiny, max_new_tokens, static_cache=True))
    if args.spar_compile:
        sides.append(
            spar_side(
                hf, folder, "spar_hf static+compile", spar_batch, tiny, max_new_tokens, static_cache=True, compile=True
            )
        )
    adapter = sides[0].adapter
    prompt_tokens = [adapter.estimated_length(adapter_request) for adapter_request in _requests(questions)]
    print(
        f"estimated prompt tokens: mean {statistics.mean(prompt_tokens):.0f}, min {min(prompt_tokens)}, max {max(prompt_tokens)}"
    )

    report: dict = {}
    lmm = "skipped with --skip-lmms" if args.skip_lmms else lmms_qwen_model(folder, tiny, device)
    if isinstance(lmm, str):
        print(f"lmms-eval qwen2_5_vl: SKIPPED: {lmm}")
        report["lmms_qwen2_5_vl"] = {"skipped": lmm}
    else:
        spy = GenerateSpy(eos=lmm.model.generation_config.eos_token_id, pad=lmm.tokenizer.pad_token_id)
        spy.wrap(lmm._model)
        for batch_size in lmms_batches:
            sides.append(lmms_side(lmm, spy, f"lmms qwen2_5_vl batch {batch_size}", batch_size, max_new_tokens))

    # A warm-up round per side (not counted): CUDA kernels, allocator, tokenizer caches.
    for side in sides:
        side.answer(questions[: min(len(questions), 4)])
    print(f"spar_hf batch size: {adapter.batch_size}" + (" (chosen from free memory)" if spar_batch is None else ""))
    for round_index in range(args.rounds):
        order = sides if round_index % 2 == 0 else sides[::-1]  # interleaved, alternating which goes first
        print(f"round {round_index + 1}")
        for side in order:
            print("  " + _row(side.name, measure(side, questions)), flush=True)

    print(f"median of {args.rounds} rounds")
    for side in sides:
        figures = median_figures(side.rounds)
        key = "spar_hf" if side is sides[0] else side.name
        report[key] = figures
        print("  " + _row(side.name, figures))
    lmms_names = [s.name for s in sides if s.name.startswith("lmms")]
    if lmms_names:
        best = max(lmms_names, key=lambda name: report[name]["samples_per_s"])
        report["ratio"] = report["spar_hf"]["samples_per_s"] / report[best]["samples_per_s"]
        print(f"ratio spar_hf / lmms-eval's best batch ({best}): {report['ratio']:.2f}x samples/s")
        for side in sides[1:]:
            if not side.name.startswith("lmms"):
                ratio = report[side.name]["samples_per_s"] / report[best]["samples_per_s"]
                print(f"ratio {side.name} / lmms-eval's best batch: {ratio:.2f}x samples/s")
    return report


def _requests(questions: list[Question]):
    from spar_bench.model_adapters.base import Request

    return [Request(q.question_id, TASK, q.prompt, q.images) for q in questions]


if __name__ == "__main__":
    main()
