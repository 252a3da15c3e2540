"""Results computed once and kept in ``results/``: where they are found, and the SVM sizes.

``find("seed_spread.json")`` looks where a reader's notebook runs: the parent folder (a
chapter runs in ``chapters/``), the current folder, then the checkout the package was
installed from (``tables.load_spread`` reads the seed spread with it). ``svm_size(n)`` is the
SVM's validation accuracy at n training images from
``results/svm_sizes.json`` (``python results/svm_sizes.py``): too slow for the chapter at
10,000 images and more, so it is measured once and shown as precomputed, with the time it
took and the library versions.
"""
import json
import math
from pathlib import Path

from .experiments import Precomputed

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path("results")
SPREAD_FILE = RESULTS / "seed_spread.json"
SVM_FILE = RESULTS / "svm_sizes.json"


def find(path, root=None):
    """The first ``root/path`` that is a file (``root`` None: "..", "." then ROOT), or None."""
    for top in [root] if root is not None else [Path(".."), Path("."), ROOT]:
        if Path(top, path).is_file():
            return Path(top, path)
    return None


def svm_size(n, root=None):
    """The SVM's stored validation accuracy at ``n`` images as a Precomputed, or None.

    Its note says how long the fit and the scoring took and with which libraries. A file
    that cannot be read raises ValueError naming it and the command that writes it again.
    """
    path = find(SVM_FILE, root)
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf8"))
        entry = record["sizes"].get(str(n))
        if entry is None:
            return None
        accuracy = float(entry["accuracy"])
        fit, score = float(entry["fit_seconds"]), float(entry["score_seconds"])
        versions = ", ".join(f"{k} {v}" for k, v in sorted(record["versions"].items()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path} cannot be read ({type(exc).__name__}: {exc}); run "
                         f"python results/svm_sizes.py --sizes {n} to write it again") from exc
    if not all(map(math.isfinite, (accuracy, fit, score))):
        raise ValueError(f"{path}: size {n} holds a value that is not a finite number")
    note = (f"precomputed {str(record.get('date', ''))[:10]} by python results/svm_sizes.py: "
            f"fit {_duration(fit)}, scoring {_duration(score)} of processor time; {versions}")
    return Precomputed(accuracy, note)


def _duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
