"""Results: from evaluated runs to the published leaderboard.

- `entry`: the leaderboard entry format (typed dicts, key sets, variant block), its errors, file names, `new_entry`.
- `entry_check`: `validate_entry`, every problem of an entry as a sentence.
- `entry_files`: `entry_from_run`, `write_entry`, `load_entries`: entries as files in `leaderboard/entries/`.
- `rows`: `LeaderboardRow`, from an entry (`rows_from_entry`) or the paper's table (`read_reported`).
- `tables`: rankings per split, protocol and variant; public/synthetic pairs; reproductions of reported rows.
- `render`: LEADERBOARD.md and leaderboard.csv.
- `page`: site/index.html and the shared page renderer (`render_page`, `script_json`).
- `plots`: the Avg bar charts (matplotlib).
- `build`: `build(...)`, all of the above from an entries folder, written to an output folder.
"""
