"""Results: from evaluated runs to comparisons, submissions and the published leaderboard.

Reading runs:
- `run_reader`: the one reader of a finished run (a `spar-bench run` folder, an lmms-eval output folder, a bundle,
  a VLMEvalKit file) into a `RunRecord`, with 3D grounding samples kept apart.
- `lmms_results`: an lmms-eval `results.json` read back into summaries per protocol.

Comparing runs:
- `sides`: one side of a comparison (run, predictions, scored JSONL, bundle, entry) as per-sample scores.
- `compare`: paired and unpaired comparison of two sides with bootstrap intervals.
- `grounding_compare`: the 3D grounding rows of a comparison, paired by sample id.
- `explore`: the explorer page's data and images.

Submissions:
- `bundle`: the bundle format, its size limits, `write_bundle`, and `read_bundle` for an untrusted archive.
- `prepare`: a run packed into a bundle (secrets, failed requests and repeated ids refused).
- `verify`: a bundle checked (schema, ids, fingerprint) and rescored against the reference data: a `Verdict`.
- `add`: `leaderboard add`, a verified bundle written as an entry.

The leaderboard:
- `entry`: the leaderboard entry format (typed dicts, key sets, variant block), its errors, file names, `new_entry`.
- `entry_check`: `validate_entry`, every problem of an entry as a sentence.
- `entry_files`: `entry_from_run`, `write_entry`, `load_entries`: entries as files in `leaderboard/entries/`.
- `rows`: `LeaderboardRow`, from an entry (`rows_from_entry`) or the paper's table (`read_reported`).
- `tables`: rankings per split, protocol and variant; public/synthetic pairs; reproductions of reported rows.
- `render`: LEADERBOARD.md and leaderboard.csv.
- `page`: site/index.html and the shared page renderer (`render_page`, `script_json`).
- `plots`: the Avg bar charts (matplotlib).
- `build`: `build(...)`, all of the above from an entries folder, written to an output folder.

Commands and printing live in `spar_bench.cli`; nothing here prints.
"""
