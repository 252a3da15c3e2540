"""The command lines and the results file: bad arguments, damaged files, no lost results.

``python -m ch3_code.reproduce`` is run through ``reproduce.main`` with its training replaced
by a stand-in that returns made-up measured values at once (--jobs 1, so the stand-in runs in
this process); ``python -m ch3_code.scorecard`` reads folders made here.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ch3_code import registry
from ch3_code.book import reproduce, scorecard, spread_file
from ch3_code.book.spread_file import SpreadFileError

ROOT = Path(__file__).resolve().parent.parent
BOOK = Path("results") / "seed_spread.json"


@pytest.fixture
def trained(monkeypatch, tmp_path):
    """Run reproduce in tmp_path with a stand-in for train_one; the list of runs it trained."""
    calls = []

    def train_one(exp_id, run, seed, epochs=None, n=None):
        calls.append((exp_id, seed, epochs, n))
        if exp_id == "QUAD-30" and seed == 2:
            raise ValueError("the stand-in's QUAD-30 fails with seed 2")
        return {q.key: 90.0 + seed / 10 for q in registry.get(exp_id).quantities}

    monkeypatch.setattr(reproduce, "train_one", train_one)
    monkeypatch.chdir(tmp_path)
    return calls


def book_file(seeds=2, settings=None, ids=("CE-30", "CE-100")):
    """Write a results/seed_spread.json as the book-settings runs would; return its text."""
    record = {"date": "2026-12-02T06:41:44+00:00", "machine": "test", "package_version": "0",
              "seeds": seeds, "settings": settings or {"epochs": None, "n": None},
              "command": "python -m ch3_code.reproduce",
              "experiments": {i: {"best_test": reproduce.spread([95.5, 95.7], 95.49)}
                              for i in ids}}
    BOOK.parent.mkdir(exist_ok=True)
    BOOK.write_text(json.dumps(record, indent=1))
    return BOOK.read_text()


def run(*args):
    return reproduce.main(["--jobs", "1", *args])


@pytest.mark.parametrize("args, option", [
    (["--seeds", "0"], "--seeds"), (["--jobs", "0"], "--jobs"), (["--epochs", "-1"], "--epochs"),
    (["--epochs", "0"], "--epochs"), (["--n", "0"], "--n"), (["--n", "ten"], "--n")])
def test_reproduce_refuses_a_bad_count_before_any_work(trained, capsys, args, option):
    before = book_file()
    with pytest.raises(SystemExit) as caught:
        reproduce.main(["--only", "CE-30", *args])
    assert caught.value.code == 2 and f"argument {option}:" in capsys.readouterr().err
    assert trained == [] and BOOK.read_text() == before


def test_reproduce_help_shows_the_options(capsys):
    with pytest.raises(SystemExit) as caught:
        reproduce.main(["--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0 and "--replace" in out and "seed_spread.quick.json" in out


def test_a_quick_trial_goes_to_its_own_file(trained, capsys):
    before = book_file()
    assert run("--only", "CE-30", "--epochs", "1", "--n", "100") == 0
    assert BOOK.read_text() == before  # the book-settings file is not touched
    quick = json.loads(Path("results/seed_spread.quick.json").read_text())
    assert quick["settings"] == {"epochs": 1, "n": 100} and list(quick["experiments"]) == ["CE-30"]
    assert {(e, n) for _, _, e, n in trained} == {(1, 100)}
    assert "written to results/seed_spread.quick.json" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--epochs", "1"], ["--seeds", "3"]])
def test_entries_made_otherwise_are_dropped_only_with_replace_and_listed(trained, capsys, args):
    before = book_file()
    with pytest.raises(SystemExit) as caught:
        run("--only", "CE-30", "--out", str(BOOK), *args)
    err = capsys.readouterr().err
    assert caught.value.code == 1 and "--replace" in err and "CE-30, CE-100" in err
    assert trained == [] and BOOK.read_text() == before  # refused before any training
    assert run("--only", "CE-30", "--out", str(BOOK), "--replace", *args) == 0
    assert "dropped from results/seed_spread.json (made with 2 seeds and book settings): " \
           "CE-30, CE-100" in capsys.readouterr().out
    assert list(json.loads(BOOK.read_text())["experiments"]) == ["CE-30"]


def test_a_run_merges_into_the_file_and_lists_what_it_replaced(trained, capsys):
    book_file(ids=("CE-100", "CE-30"))
    assert run("--only", "CE-30", "--seeds", "2") == 0
    record = json.loads(BOOK.read_text())
    assert record["experiments"]["CE-100"]["best_test"]["values"] == [95.5, 95.7]  # kept
    assert record["experiments"]["CE-30"]["best_test"]["values"] == [90.1, 90.2]  # new
    assert record["made_by"]["CE-100"]["date"] == "2026-12-02T06:41:44+00:00"
    out = capsys.readouterr().out
    assert "replaced in results/seed_spread.json: CE-30" in out
    assert "kept in results/seed_spread.json: CE-100" in out


@pytest.mark.parametrize("damage, named", [
    (lambda text: text[:len(text) // 2], "cannot be read"),   # cut short by a full disk
    (lambda text: text.replace('"mean": 95.6', '"mean": "95.6"', 1),
     "experiments['CE-30']['best_test'] has 'mean': '95.6'"),
    (lambda text: text.replace('"CE-100"', '"CE-1OO"'), "experiments['CE-1OO']")])
def test_a_damaged_old_file_is_named_before_any_training(trained, capsys, damage, named):
    BOOK.parent.mkdir()
    BOOK.write_text(damage(book_file()))
    damaged = BOOK.read_text()
    with pytest.raises(SystemExit) as caught:
        run("--only", "CE-30", "--seeds", "2")
    err = capsys.readouterr().err
    assert caught.value.code == 1 and str(BOOK) in err and named in err
    assert trained == [] and BOOK.read_text() == damaged


def test_an_unwritable_out_is_found_before_any_training(trained, tmp_path, capsys):
    (tmp_path / "a_file").write_text("")
    for out in (tmp_path / "a_file" / "spread.json", tmp_path):  # under a file; a folder
        with pytest.raises(SystemExit) as caught:
            run("--only", "CE-30", "--out", str(out))
        assert caught.value.code == 2 and f"--out {out}" in capsys.readouterr().err
    assert trained == []
    assert run("--only", "CE-30", "--out", str(tmp_path / "new" / "spread.json")) == 0
    assert os.listdir(tmp_path / "new") == ["spread.json"]  # the test file is gone


def test_a_failed_write_keeps_the_old_file_and_prints_the_results(trained, monkeypatch,
                                                                   capsys):
    before = book_file()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spread_file.os, "fsync", full_disk)
    with pytest.raises(SystemExit, match="could not write results/seed_spread.json"):
        run("--only", "CE-30", "--seeds", "2")
    assert BOOK.read_text() == before and os.listdir("results") == ["seed_spread.json"]
    printed = json.loads(capsys.readouterr().out)
    assert printed["experiments"]["CE-30"]["best_test"]["values"] == [90.1, 90.2]


def test_a_failed_run_keeps_the_experiments_that_finished(trained, capsys):
    book_file()
    with pytest.raises(SystemExit) as caught:
        run("--only", "CE-30", "QUAD-30", "--seeds", "2")
    err = capsys.readouterr().err
    assert caught.value.code == 1
    assert "'exp_id': 'QUAD-30', 'run': None, 'seed': 2" in err and "fails with seed 2" in err
    experiments = json.loads(BOOK.read_text())["experiments"]
    assert list(experiments) == ["CE-30", "CE-100"]  # CE-30 new, CE-100 kept, no QUAD-30
    assert experiments["CE-30"]["best_test"]["values"] == [90.1, 90.2]


def test_reproduce_refuses_no_seeds_and_zero_caps():
    with pytest.raises(ValueError, match="seeds"):
        reproduce.reproduce(["CE-30"], [])
    with pytest.raises(ValueError, match="epochs"):
        reproduce.reproduce(["CE-30"], [1], epochs=0)


def book_folder(tmp_path, spread=None):
    (tmp_path / "chapters").mkdir()
    if spread is not None:
        (tmp_path / "results").mkdir()
        (tmp_path / "results" / "seed_spread.json").write_text(spread)
    return tmp_path


def test_scorecard_help_and_a_mistyped_folder_give_usage_not_a_table(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        scorecard.main(["--help"])
    out = capsys.readouterr().out
    assert caught.value.code == 0 and out.startswith("usage:") and "quantities" not in out
    with pytest.raises(SystemExit) as caught:
        scorecard.main([str(tmp_path / "chapter")])
    captured = capsys.readouterr()
    assert caught.value.code == 2 and captured.out == ""
    assert f"{tmp_path / 'chapter'} has no chapters" in captured.err
    with pytest.raises(SystemExit):
        scorecard.main(["--pages"])
    assert "unrecognized arguments: --pages" in capsys.readouterr().err


@pytest.mark.parametrize("edit, named", [
    ({"mean": "95.6"}, "experiments['CE-30']['best_test'] has 'mean': '95.6'"),
    ({"values": [95.5]}, "experiments['CE-30']['best_test'] must hold 'values': a list of 2"),
    ({"min": 90.0}, "experiments['CE-30']['best_test'] has a 'mean', 'min' or 'max' that does "
                    "not match its 'values'"),
    ({"sd": None}, "experiments['CE-30']['best_test'] has 'sd': None")])
def test_scorecard_names_the_entry_at_fault_in_a_hand_edited_file(tmp_path, capsys, edit,
                                                                    named):
    stats = {**reproduce.spread([95.5, 95.7], 95.49), **edit}
    folder = book_folder(tmp_path, json.dumps({"experiments": {"CE-30": {"best_test": stats}}}))
    assert scorecard.main([str(folder)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and named in captured.err
    assert str(folder / "results" / "seed_spread.json") in captured.err
    with pytest.raises(SpreadFileError, match="best_test"):  # and for a chapter's call
        scorecard.spread_of("CE-30", "best_test", root=folder)


def test_scorecard_on_a_damaged_file_exits_with_a_message_not_a_traceback(tmp_path):
    folder = book_folder(tmp_path, '{"experiments": {"CE-30": {"best_test": {"mean": 95')
    done = subprocess.run([sys.executable, "-m", "ch3_code.scorecard", str(folder)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "seed_spread.json cannot be read as a seed-spread file" in done.stderr


def test_the_committed_spread_file_passes_the_check():
    spread_file.read_spread(ROOT / BOOK)


@pytest.mark.parametrize("notebook, named", [
    ('{"cells": [{"cell_type": "code", "outputs": [{"data', "cannot be read (JSONDecodeError"),
    (json.dumps({"cells": [{"cell_type": "code", "outputs": [{"data": {
        "application/vnd.ch3.results+json": {"results": {"CE-30": {"values": {
            "best_test": "95.6"}}}}}}]}]}), "the recorded CE-30 best_test is '95.6'")])
def test_scorecard_names_a_damaged_chapter_notebook(tmp_path, capsys, notebook, named):
    folder = book_folder(tmp_path)
    (folder / "chapters" / "01_cross_entropy.ipynb").write_text(notebook)
    assert scorecard.main([str(folder)]) == 1
    err = capsys.readouterr().err
    assert str(folder / "chapters" / "01_cross_entropy.ipynb") in err and named in err


def test_the_committed_chapters_pass_the_checks():
    assert scorecard.collect(ROOT)


def test_a_killed_writes_temporary_file_is_removed_when_next_seen(trained):
    book_file()
    stale, live = Path("results/.seed_spread.json.abc.tmp"), Path("results/.seed_spread.json.d.tmp")
    stale.write_text('{"trunc')
    live.write_text('{"being written')
    os.utime(stale, (1e9, 1e9))  # 2001: long dead
    assert run("--only", "CE-30", "--seeds", "2") == 0
    assert not stale.exists() and live.exists()  # a write in progress elsewhere is left alone
