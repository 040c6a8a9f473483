#!/usr/bin/env bash
# `pip install .` with no extras runs the core commands: synth, validate, run with a baseline, score.
# Usage: scripts/check_plain_install.sh [WORKDIR]  (a fresh virtual environment in WORKDIR, removed afterwards)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
trap 'rm -rf "$work"' EXIT
python -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$repo"
cd "$work"
export PATH="$work/venv/bin:$PATH" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME="$work/hf"
if python -c "import lmms_eval" 2>/dev/null || python -c "import transformers" 2>/dev/null; then
    echo "check_plain_install: an extra's package is installed; this check needs a bare install" >&2
    exit 1
fi
spar-bench synth --seed 3 --per-task 2 --width 160 --height 120 --out synth3
spar-bench validate synth3
spar-bench run --model spar_frequency --tasks spar_bench_synth --output run --no-progress
spar-bench score run/predictions.jsonl --json run/summary.json
python - "$repo/tests/pins/summaries.json" <<'PY'
import json, sys
strict = json.load(open("run/summary.json"))["strict"]["overall"]
pinned = json.load(open(sys.argv[1]))["frequency"]["strict"]["overall"]
assert abs(strict - pinned) < 1e-9, f"frequency baseline scored {strict} in a bare install, pinned {pinned}"
print(f"check_plain_install: a bare `pip install .` ran synth, validate, run and score (strict {strict:.2f} = pin)")
PY
