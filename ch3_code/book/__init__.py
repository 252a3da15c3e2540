"""The book's side (a learner may skip it): its experiments and results, tables, checks, the
scorecard and the seed spread.

* ``experiments``: the registry's data model (``Experiment``, ``Quantity``, ``NotRerun``,
  the tolerance rules) and what every entry shares (``BASE``, ``entry``);
* ``measures``: the measuring helpers, such as ``best("test_accuracy")``;
* ``results``: the entries, one per experiment of the book's chapter 3 (``get``, ``ids``),
  those of chapters 03-05 written in ``later_results``;
* ``tables``: "book vs this run" rows and the ``Table`` that shows them;
* ``checks``: checking a run in a chapter's hidden cell and recording its values;
* ``scorecard``: every experiment against the chapters' recorded results
  (``python -m ch3_code.scorecard``), with the reproduction chart of ``chart``;
* ``summary``: the scorecard's text (counts, the gaps, the seed spread's record);
* ``reproduce``: rerunning the experiments with several seeds (``python -m
  ch3_code.reproduce``), written to ``results/seed_spread.json`` by ``spread_file`` (the
  statistics and the printed report: ``record``), and the controlled reruns towards the book's
  code (``--variant``: ``variants``, with network2's random draws in ``network2_draws``);
* ``stored``: where the committed results (``results/``) are found, and the SVM's precomputed
  sizes.

The chapters use the facade :mod:`ch3_code.registry`. Re-exported here are the model, the
entries and the tables; ``checks`` (which imports IPython), ``chart`` (matplotlib) and the two
command lines are imported as modules (so that ``python -m`` runs each of those once).
"""
from .experiments import CHAPTER_URL, Experiment, NotRerun, Quantity
from .results import EXPERIMENTS, experiments, get, ids
from .spread_file import SpreadFileError, read_spread, spread
from .tables import Table, evaluate, rows_for

__all__ = ["Experiment", "Quantity", "NotRerun", "CHAPTER_URL", "EXPERIMENTS", "experiments",
           "get", "ids", "Table", "evaluate", "rows_for", "SpreadFileError", "read_spread",
           "spread"]
