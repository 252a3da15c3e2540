"""The registry's entries of chapters 03-05: regularisation, weight initialisation, and the
hyper-parameters; :mod:`ch3_code.book.results` holds those of chapters 01-02 and adds these
after them, in this order (``ids()``, the tables and the scorecard follow it).

Values come from the book's chapter 3 text and from the figure data of the book's code, as
in :mod:`ch3_code.book.results`; accuracies are percentages.
"""
import numpy as np

from .experiments import (CHAPTER_URL, FIGURE, ONE_EPOCH, TEXT, Quantity as Q, best_test,
                          entry)
from .measures import at_epoch, best, best_epoch, final, gap, of_run, rises, series

L2 = ("Regularization", CHAPTER_URL + "#regularization")
INIT = ("Weight initialization", CHAPTER_URL + "#weight_initialization")
HYPER = ("How to choose a neural network's hyper-parameters",
         CHAPTER_URL + "#how_to_choose_a_neural_network's_hyper-parameters")
ENTRIES = []


def add(exp_id, title, chapter, section, config, quantities, **kwargs):
    ENTRIES.append(entry(exp_id, title, chapter, section, config, quantities, **kwargs))


# ---- chapter 03: regularisation ----
add("L2-1k", "L2 regularisation, 1,000 training images", "03_regularization", L2,
    dict(epochs=400, n=1_000, lmbda=0.1, seed=1), [
        best_test(87.10, FIGURE, tol=1.5, book_x=383),
        Q("best_test_epoch", "epoch of the best test accuracy", best_epoch("test_accuracy"), 383,
          FIGURE, band=(300, 399), unit="epoch", digits=0,
          reason="still rising after 400 epochs: the best comes late"),
    ])
add("L2-50k", "L2 regularisation, 50,000 training images", "03_regularization", L2,
    dict(lmbda=5.0, seed=1), [
        best_test(96.49, book_x=28),
        Q("final_test", "test accuracy at the final epoch", final("test_accuracy"), 95.61,
          FIGURE, 1.0, book_x=29, reason=ONE_EPOCH),
        Q("gap", "training minus test accuracy (best of each)", gap, None, TEXT,
          band=(-1.0, 1.0), unit="points", book_text="under 1", reason="the book: under a point"),
    ], result="a History with train_accuracy and test_accuracy")
VAL = dict(monitor="validation")
add("L2-100", "L2 regularisation, 100 hidden neurons", "03_regularization", L2,
    dict(layer_sizes=[784, 100, 10], lmbda=5.0, seed=1, **VAL),
    [Q("best_validation", "best validation accuracy", best("evaluation_accuracy"), 97.92, TEXT,
       0.5, headline=True)])
add("L2-100-60", "L2 regularisation, 100 hidden neurons, η = 0.1, 60 epochs",
    "03_regularization", L2,
    dict(layer_sizes=[784, 100, 10], eta=0.1, lmbda=5.0, epochs=60, seed=1, **VAL),
    [Q("best_validation", "best validation accuracy", best("evaluation_accuracy"), 98.04, TEXT,
       0.5, headline=True)])


# ---- chapter 04: weight initialisation ----
def init_entry(hidden, large0, default0, large_end, default_end, gap_band):
    acc = "evaluation_accuracy"
    early = ("one epoch from saturated N(0, 1) weights: for 30 hidden neurons seeds 1-5 give "
             "86.41-87.69 (up to 1.26 from the book); ±1.5 still excludes the new init")
    add(f"INIT-{hidden}", f"Weight initialisation, {hidden} hidden neurons",
        "04_weight_initialization", INIT,
        dict(layer_sizes=[784, hidden, 10], init=("large", "default"), eta=0.1, lmbda=5.0,
             seed=1, pick="epochs 0 and 29", **VAL), [
            Q("large_0", "validation accuracy after epoch 0, old (large) init",
              of_run("large", at_epoch(acc, 0)), large0, FIGURE, 1.5, book_x=0, reason=early),
            Q("default_0", "validation accuracy after epoch 0, new init",
              of_run("default", at_epoch(acc, 0)), default0, FIGURE, 1.0, book_x=0,
              reason=ONE_EPOCH, headline=True),
            Q("gap_0", "new minus old init after epoch 0",
              lambda r: at_epoch(acc, 0)(r["default"]) - at_epoch(acc, 0)(r["large"]),
              round(default0 - large0, 2), FIGURE, band=gap_band, unit="points",
              reason="the point of the section: the new initialisation starts well ahead"),
            Q("large_final", "validation accuracy at the final epoch, old init",
              of_run("large", final(acc)), large_end, FIGURE, 1.0, book_x=29, reason=ONE_EPOCH),
            Q("default_final", "validation accuracy at the final epoch, new init",
              of_run("default", final(acc)), default_end, FIGURE, 1.0, book_x=29,
              reason=ONE_EPOCH, headline=True),
        ], result="{'large': History, 'default': History}",
        runs={"large": dict(init="large"), "default": dict(init="default")})


init_entry(30, 86.43, 92.70, 96.37, 96.50, (2.0, 10.0))
init_entry(100, 89.94, 92.95, 97.42, 97.81, (1.0, 8.0))

# ---- chapter 05: hyper-parameters ----
HYPER5 = dict(init="default", lmbda=5.0, seed=1, monitor="train", pick="curve")


def cost_of(eta):
    return lambda r: series(r[eta], "train_cost")


COST_TOL = "a cost read off the book's figure (the book prints no number)"
add("ETA", "Learning rates 0.025, 0.25, 2.5: the training cost", "05_hyperparameters", HYPER,
    dict(eta=(0.025, 0.25, 2.5), **HYPER5), [
        Q("eta_0.025_start", "η = 0.025: training cost after epoch 0",
          lambda r: cost_of(0.025)(r)[0], 0.878, FIGURE, 0.05, unit="", digits=3, book_x=0,
          reason=COST_TOL),
        Q("eta_0.025_final", "η = 0.025: training cost at the final epoch",
          lambda r: cost_of(0.025)(r)[-1], 0.339, FIGURE, 0.02, unit="", digits=3, book_x=29,
          reason=COST_TOL),
        Q("eta_0.025_rises", "η = 0.025: epochs at which the cost rose (by more than 0.003)",
          lambda r: rises(cost_of(0.025)(r), 0.003), None, FIGURE, band=(0, 0), unit="",
          digits=0, book_text="falls at every epoch",
          reason="falls monotonically; seed 1 rises once by under 0.001 (epoch 20), noise"),
        Q("eta_0.25_min", "η = 0.25: lowest training cost", lambda r: cost_of(0.25)(r).min(),
          0.320, FIGURE, 0.02, unit="", digits=3, book_x=22, reason=COST_TOL),
        Q("eta_2.5_rises", "η = 2.5: epochs at which the cost rose (by more than 0.01)",
          lambda r: rises(cost_of(2.5)(r), 0.01), None, FIGURE, band=(3, 29), unit="", digits=0,
          book_text="oscillates",
          reason="oscillates: it rises at 3 or more epochs (seed 1: 12 to 15, with the cost "
                 "falling for its first 0 to 5 epochs, as the engine and processor round)"),
        Q("eta_2.5_min", "η = 2.5: lowest training cost", lambda r: cost_of(2.5)(r).min(), 0.72,
          FIGURE, 0.15, unit="", reason="the extremes of an oscillating curve vary most"),
        Q("eta_2.5_max", "η = 2.5: highest training cost", lambda r: cost_of(2.5)(r).max(), 1.14,
          FIGURE, 0.25, unit="",
          reason="the extremes of an oscillating curve vary most: seeds 0-7 here peak at "
                 "0.93-1.28"),
    ], result="{eta: History with train_cost}",
    runs={eta: dict(eta=eta) for eta in (0.025, 0.25, 2.5)})
add("HYPER-BAD", "A bad first choice: η = 10, λ = 1000", "05_hyperparameters", HYPER,
    dict(init="default", eta=10.0, lmbda=1000.0, seed=1, monitor="validation", pick="final"), [
        Q("final_validation", "validation accuracy at the final epoch",
          final("evaluation_accuracy"), None, TEXT, band=(8.5, 11.5), book_text="chance (~10)",
          headline=True,
          reason="chance: a constant answer scores 9.2-10.9% on the validation images")])


def strip_median(run):
    def measure(result):
        scores = result[run]
        if isinstance(scores, dict):
            scores = series(scores, "evaluation_accuracy")
        return float(np.median(scores)) if len(scores) else None
    return measure


CHANCE_100 = "a constant answer scores 6-14 on these 100 images (14 sixes)"
STRIP = dict(layer_sizes=[784, 10], init="default", eta=(10.0, 100.0, 1.0), lmbda=(1000.0, 20.0),
             n=1_000, n_validation=100, seed=1,
             monitor="validation", pick="median over epochs")
add("HYPER-STRIP", "The stripped-down problem: [784, 10], 1,000 images, 100 validation images",
    "05_hyperparameters", HYPER, STRIP, [
        Q(f"eta_{eta:g}_lmbda_{lmbda:g}", f"η = {eta:g}, λ = {lmbda:g}: correct out of 100",
          strip_median((eta, lmbda)), None, TEXT, band=band, unit="/100", digits=0,
          book_text=text, reason=reason)
        for eta, lmbda, band, text, reason in [
            (10.0, 1000.0, (5, 15), "10 (chance)", f"at chance: {CHANCE_100}"),
            (10.0, 20.0, (15, 40), "12-25 (weak signal)",
             f"above chance ({CHANCE_100}) and below the η = 1 row"),
            (100.0, 20.0, (5, 15), "10 (chance)", f"at chance: {CHANCE_100}"),
            (1.0, 20.0, (35, 70), "42-62", "one image is one point; the book's range ± 7")]],
    result="{(eta, lmbda): History or per-epoch correct counts out of 100}",
    runs={(10.0, 1000.0): dict(eta=10.0, lmbda=1000.0), (10.0, 20.0): dict(eta=10.0, lmbda=20.0),
          (100.0, 20.0): dict(eta=100.0, lmbda=20.0), (1.0, 20.0): dict(eta=1.0, lmbda=20.0)})
