"""The seed spread everywhere: the chapters' tables, the check that uses it, the SVM's
precomputed sizes, the wall time, and the scorecard's account of the gaps to the book."""
import json
from pathlib import Path

import pytest

from ch3_code import registry
from ch3_code.book import checks, record, reproduce, scorecard, spread_file, stored, tables
from ch3_code.book.experiments import Precomputed

SETTINGS = {"epochs": None, "n": None}


@pytest.fixture(autouse=True)
def book(tmp_path, monkeypatch):
    """A book folder with results/ (empty); the chapters' kernel runs in chapters/."""
    for folder in ("chapters", "results"):
        (tmp_path / folder).mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    monkeypatch.setattr(stored, "ROOT", tmp_path / "elsewhere")
    monkeypatch.setattr(checks, "display", lambda obj, raw=False: None)
    monkeypatch.delenv("CH3_CHECK", raising=False)
    return tmp_path


def write_spread(book, experiments, settings=SETTINGS, **extra):
    record = {"date": "2026-12-07T07:00:00+00:00", "machine": "test", "package_version": "0",
              "seeds": 5, "settings": settings, "command": "python -m ch3_code.reproduce",
              "experiments": experiments, **extra}
    (book / "results" / "seed_spread.json").write_text(json.dumps(record))
    return record


CE30 = {"CE-30": {"best_test": spread_file.spread([95.35, 95.45, 95.5, 95.6, 95.67], 95.49)}}


def test_a_chapters_table_has_the_seed_spread_column(book):
    write_spread(book, CE30)
    table = registry.table({"CE-30": {"best_test": 95.55}})
    assert table._head()[-1] == "seed spread"
    assert table._row(table.rows[0])[-1] == "95.51 ± 0.13 (95.35 to 95.67, 5 seeds)"
    assert "95.51 ± 0.13" in table._repr_html_() and "95.51 ± 0.13" in str(table)


def test_a_quick_trial_or_no_file_gives_no_spread_column(book):
    assert "seed spread" not in registry.table({"CE-30": {"best_test": 95.55}})._head()
    write_spread(book, CE30, settings={"epochs": 3, "n": None})
    assert "seed spread" not in registry.table({"CE-30": {"best_test": 95.55}})._head()


def test_the_scorecard_shows_every_kind_of_entry_multi_run_ones_too(book):
    runs = {"DATA-SIZE": ("n_100", [68.6, 69.4]), "ETA": ("eta_0.025_start", [0.87, 0.88]),
            "HYPER-STRIP": ("eta_1_lmbda_20", [50.0, 55.0]), "INIT-30": ("default_0", [92.7, 93.0])}
    write_spread(book, {i: {k: spread_file.spread(v, registry.get(i).quantity(k).book)}
                        for i, (k, v) in runs.items()})
    table, _, _ = scorecard.scorecard_table(book)
    cells = {(r["id"], r["key"]): table._row(r)[-1] for r in table.rows}
    assert cells["DATA-SIZE", "n_100"] == "69.00 ± 0.57 (68.60 to 69.40, 2 seeds)"
    assert cells["ETA", "eta_0.025_start"] == "0.875 ± 0.007 (0.870 to 0.880, 2 seeds)"
    assert cells["HYPER-STRIP", "eta_1_lmbda_20"] == "52 ± 4 (50 to 55, 2 seeds)"
    assert cells["INIT-30", "default_0"].startswith("92.85 ± 0.21")
    assert cells["CE-30", "best_test"] == "–"


# ---- the check that uses the spread ----

def test_strict_check_fails_more_than_3_sd_from_our_seeds(book, monkeypatch):
    write_spread(book, CE30)  # mean 95.514, sd 0.125: 95.05 is within the book's ±0.5
    monkeypatch.setenv("CH3_CHECK", "strict")
    with pytest.raises(AssertionError, match=r"this run 95.05 lies 3.7 sd from our own seeds' "
                                             r"mean 95.51 \(sd 0.13, 5 seeds"):
        registry.check({"CE-30": {"best_test": 95.05}})
    registry.check({"CE-30": {"best_test": 95.20}})  # 2.5 sd: passes


def test_not_strict_the_spread_rule_gives_a_note(book, capsys):
    write_spread(book, CE30)
    registry.check({"CE-30": {"best_test": 95.05}})
    out = " ".join(capsys.readouterr().out.split())
    assert "Note: CE-30 best test accuracy: this run 95.05 lies 3.7 sd" in out
    assert "the code or the data changed" in out


def test_the_spread_rule_is_skipped_where_it_cannot_judge(book, monkeypatch):
    monkeypatch.setenv("CH3_CHECK", "strict")
    flat = {"CE-30": {"best_test": spread_file.spread([95.5, 95.5, 95.5], 95.49)}}
    write_spread(book, flat)  # sd 0: skipped
    registry.check({"CE-30": {"best_test": 95.2}})
    write_spread(book, CE30, settings={"epochs": 3, "n": None})  # a quick trial: skipped
    registry.check({"CE-30": {"best_test": 95.1}})
    write_spread(book, CE30)
    exp = registry.get("CE-30")
    far = checks.far_from_seeds(exp, {"best_test": 95.1}, tables.book_spread())
    assert len(far) == 1 and "3.3 sd" in far[0]
    assert checks.far_from_seeds(exp, {"best_test": None}, tables.book_spread()) == []


# ---- the SVM's precomputed sizes ----

def write_svm(book, sizes):
    record = {"date": "2026-12-07T07:30:00+00:00", "versions": {"scikit-learn": "1.9.1",
                                                                "numpy": "2.4.6"},
              "sizes": {str(n): dict(accuracy=a, fit_seconds=f, score_seconds=s,
                                     support_vectors=1) for n, (a, f, s) in sizes.items()}}
    (book / "results" / "svm_sizes.json").write_text(json.dumps(record))


def test_the_svms_larger_sizes_are_read_from_the_file_and_marked_precomputed(book):
    write_svm(book, {10_000: (92.40, 95.0, 300.0), 50_000: (94.50, 1500.0, 900.0)})
    result = {100: 25.3, 10_000: registry.NotRerun("too slow"), 20_000: None}
    values = registry.get("SVM").measure(result)
    assert isinstance(values["n_10000"], Precomputed) and values["n_10000"] == 92.40
    assert values["n_50000"] == 94.50 and "fit 25 min, scoring 15 min" in values["n_50000"].note
    assert "scikit-learn 1.9.1" in values["n_50000"].note
    assert isinstance(values["n_20000"], registry.NotRerun)  # not in the file
    table = registry.table({"SVM": result})
    row = next(r for r in table.rows if r["key"] == "n_10000")
    assert row["status"] == "within" and table._row(row)[3].startswith("92.40 (precomputed) [")
    assert "fit 95 s, scoring 5 min of processor time" in table._repr_html_()
    assert "how a value was precomputed" in table._repr_html_()
    assert tables._unplain(tables.plain(values["n_50000"])).note == values["n_50000"].note


def test_the_scorecard_upgrades_an_old_not_rerun_record_and_counts_it(book):
    write_svm(book, {10_000: (92.40, 95.0, 300.0)})
    cell = {"cell_type": "code", "outputs": [{"output_type": "display_data", "data": {
        checks.RESULTS_MIME: {"version": 1, "results": {"SVM": {"values": {
            "n_100": 25.3, "n_10000": {"not_rerun": "too slow"},
            "n_20000": {"precomputed": 93.1, "note": "by hand"}}}}}}}]}
    (book / "chapters" / "02_overfitting.ipynb").write_text(json.dumps({"cells": [cell]}))
    table, _, spread = scorecard.scorecard_table(book)
    marks = {r["key"]: table._row(r)[3] for r in table.rows if r["id"] == "SVM"}
    assert marks["n_10000"].startswith("92.40 (precomputed)")
    assert marks["n_20000"].startswith("93.10 (precomputed)")
    text = " ".join(scorecard._summary(table, [], spread))
    assert "2 of them were measured once outside the chapters" in text


def test_a_damaged_svm_file_is_named_with_the_command_that_remakes_it(book):
    (book / "results" / "svm_sizes.json").write_text('{"sizes": {"10000": {"accuracy": "x"}}}')
    with pytest.raises(ValueError, match="svm_sizes.json cannot be read.*--sizes 10000"):
        stored.svm_size(10_000)


# ---- wall time and the scorecard's text ----

def test_the_wall_time_is_checked_recorded_and_shown(book, tmp_path):
    record = write_spread(book, CE30, wall_seconds=1800, note="shared machine")
    spread_file.check_spread(record, "x.json")
    with pytest.raises(spread_file.SpreadFileError, match="'wall_seconds' must be a number"):
        spread_file.check_spread({**record, "wall_seconds": "half an hour"}, "x.json")
    table, missing, spread = scorecard.scorecard_table(book)
    text = " ".join(scorecard._summary(table, missing, spread))
    assert "30 minutes of wall time. shared machine" in text
    out = tmp_path / "spread.json"
    reproduce.main(["--seeds", "2", "--only", "HYPER-STRIP", "--epochs", "1", "--n", "100",
                    "--jobs", "1", "--out", str(out)])
    written = json.loads(out.read_text())
    assert isinstance(written["wall_seconds"], int) and written["wall_seconds"] >= 0
    assert written["made_by"]["HYPER-STRIP"]["wall_seconds"] == written["wall_seconds"]


def test_the_scorecard_gives_measured_causes_not_guesses(book):
    spread = write_spread(book, {"L2-50k": {"best_test": spread_file.spread(
        [96.1, 96.2, 96.3], 96.49)}})
    table, missing, _ = scorecard.scorecard_table(book)
    before = " ".join(scorecard._summary(table, missing, spread, {}))
    assert "Python 3's shuffle" not in before and "not measured yet" in before
    tried = {"float64": {**spread, "experiments": {"L2-50k": {"best_test": spread_file.spread(
        [96.15, 96.25, 96.35], 96.49)}}},
        "pixels256": {**spread, "experiments": {"L2-50k": {"best_test": spread_file.spread(
            [96.4, 96.5, 96.6], 96.49)}}}}
    after = " ".join(scorecard._summary(table, missing, spread, tried))
    assert "moves the mean by float64 +0.05 (0.6 se), pixels256 +0.30 (3.7 se)" in after
    assert "| L2-50k best_test | 96.49 | 96.20 (96.10 to 96.30) | float64 | 96.25 " in after
    assert "| +0.05 ± 0.08 | no |" in after and "| +0.30 ± 0.08 | yes |" in after


# ---- the committed results ----

RESULTS = Path(__file__).resolve().parent.parent / "results"


def test_the_committed_spread_covers_every_trained_quantity_with_five_seeds():
    record = spread_file.read_spread(RESULTS / "seed_spread.json")
    assert record["seeds"] == 5 and not any(record["settings"].values())
    assert record["wall_seconds"] > 0 and "shared" in record["note"]
    trained = [i for i in registry.ids() if i not in reproduce.NO_SEED]
    assert sorted(record["experiments"]) == sorted(trained)
    for exp_id in trained:
        keys = [q.key for q in registry.get(exp_id).quantities]
        assert sorted(record["experiments"][exp_id]) == sorted(keys)
        assert all(s["count"] == 5 for s in record["experiments"][exp_id].values())


def test_the_committed_variants_and_svm_sizes_are_readable_and_described():
    tried = record.read_variants(RESULTS / "variants.json")["variants"]
    assert {"float64", "pixels256", "network2-init"} <= set(tried)
    for n in (10_000, 20_000, 50_000):
        assert isinstance(stored.svm_size(n, root=RESULTS.parent), Precomputed)
    readme = (RESULTS / "README.md").read_text()
    for path in RESULTS.iterdir():
        if not path.name.startswith(".") and path.name != "README.md":
            assert f"`{path.name}`" in readme, f"results/README.md does not describe {path.name}"
