import pytest
from conftest import hub_row, write_hub_parquet

from spar_bench.cli import main
from spar_bench.data import dataset_fingerprint, load_dataset


def test_validate_prints_counts_and_fingerprint_of_the_embedded_set(capsys):
    assert main(["validate", "synth"]) == 0
    out = capsys.readouterr().out
    assert "200 valid rows in 20 tasks" in out
    assert f"fingerprint: {dataset_fingerprint(load_dataset('synth'))}" in out


def test_validate_reports_bad_rows_and_exits_2(tmp_path, capsys):
    path = write_hub_parquet(tmp_path / "bad.parquet", [hub_row(0), hub_row(3, answer="B")])
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row id 3: field 'answer': 'B' is not a number in meters" in err


def test_lmms_eval_subcommand_help_explains_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["lmms-eval", "--help"])
    assert "exit 1 if an evaluation failed" in capsys.readouterr().out.replace("\n", " ").replace("  ", " ")
