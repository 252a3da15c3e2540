"""The seed-spread file (``results/seed_spread.json``): its entries, read, checked, merged.

``python -m ch3_code.reproduce`` writes it, the scorecard reads it, a reader may edit it.
Reading checks each entry against the form ``spread`` makes, naming the file and the entry at
fault (``experiments['CE-30']['best_test']``) rather than failing mid-table in the scorecard.

A new run's entries are merged in (``merge_spread``); other experiments' entries stay, with the
command that made them in ``made_by``. A file holds one number of seeds and one set of settings
(``--epochs``/``--n`` caps), so the scorecard never shows a quick trial as the book's runs; old
entries made otherwise are dropped only when asked, each dropped or replaced entry listed.

Writing goes to a temporary file beside it, fsync'ed, then renamed over the old file (the
writer that saves a network's file, ``internals.atomic_write``): a full disk or a killed
process leaves the old file whole, never a truncated one that every later run trips over.
"""
import contextlib
import glob
import json
import math
import os
import platform
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info

from ..internals.atomic_write import write_atomically  # the one atomic writer (NN2.save too)
from .results import get, ids

__all__ = ["spread", "SpreadFileError", "read_spread", "check_spread", "merge_spread",
           "write_atomically", "check_writable", "machine", "package_version"]

#: Age in seconds after which a temporary file beside the spread file is a killed write's.
STALE = 600


def spread(values, book):
    """mean, sd, min, max and count of the measured ``values``; is the book outside the range?"""
    numbers = [v for v in values if isinstance(v, float) and not isinstance(v, str)]
    if not numbers:
        return {"mean": None, "count": 0, "values": []}
    a = np.asarray(numbers)
    stats = {"mean": float(a.mean()), "sd": float(a.std(ddof=1)) if len(a) > 1 else 0.0,
             "min": float(a.min()), "max": float(a.max()), "count": len(a),
             "values": [float(v) for v in a], "book": book}
    stats["book_outside"] = book is not None and not a.min() <= book <= a.max()
    return stats


class SpreadFileError(ValueError):
    """A seed-spread file that cannot be read or does not hold what reproduce writes."""


def read_spread(path):
    """The seed-spread record in ``path``, checked entry by entry (SpreadFileError if not)."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf8"), parse_constant=_refuse)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SpreadFileError(f"{path} cannot be read as a seed-spread file ({exc}); fix it, or "
                              "move it away and run python -m ch3_code.reproduce again") from exc
    check_spread(record, path)
    return record


def check_spread(record, path):
    """Raise SpreadFileError, naming ``path`` and the entry, where ``record`` is not in the
    form reproduce writes: a stored value the page cannot format stops it mid-table."""
    def fail(where, problem):
        raise SpreadFileError(f"{path}: {where} {problem}; fix or delete that entry (python -m "
                              "ch3_code.reproduce writes it again)")
    if not isinstance(record, dict) or not isinstance(record.get("experiments"), dict):
        raise SpreadFileError(f"{path} is not a seed-spread file: it must be a JSON object with "
                              "an 'experiments' object (python -m ch3_code.reproduce writes one)")
    for key in ("date", "machine", "package_version", "command", "note", "change"):
        if not isinstance(record.get(key, ""), str):
            fail(f"{key!r}", f"must be text, not {record[key]!r}")
    if not (_number(record.get("wall_seconds", 0)) and record.get("wall_seconds", 0) >= 0):
        fail("'wall_seconds'", f"must be a number of seconds, not {record['wall_seconds']!r}")
    if not _count(record.get("seeds", 1), 1):
        fail("'seeds'", f"must be a whole number >= 1, not {record['seeds']!r}")
    settings = record.get("settings", {})
    if not isinstance(settings, dict) or not all(v is None or _count(v, 1)
                                                 for v in settings.values()):
        fail("'settings'", f"must map epochs and n to null or a number >= 1, not {settings!r}")
    for exp_id, quantities in record["experiments"].items():
        if exp_id not in ids():
            fail(f"experiments[{exp_id!r}]", "is not an experiment of the registry")
        if not isinstance(quantities, dict):
            fail(f"experiments[{exp_id!r}]", "must be an object of quantities")
        keys = [q.key for q in get(exp_id).quantities]
        for key, stats in quantities.items():
            where = f"experiments[{exp_id!r}][{key!r}]"
            if key not in keys:
                fail(where, f"is not a quantity of {exp_id} (those are {', '.join(keys)})")
            problem = _stats_problem(stats)
            if problem:
                fail(where, problem)


def _stats_problem(stats):
    """What is wrong with one quantity's statistics (as reproduce.spread makes them), or ''."""
    if not isinstance(stats, dict) or not _count(stats.get("count"), 0):
        return "must be an object with a whole-number 'count'"
    values = stats.get("values")
    if not isinstance(values, list) or len(values) != stats["count"] or not all(
            map(_number, values)):
        return f"must hold 'values': a list of {stats['count']} numbers ('count')"
    if not values:
        return ""
    for k in ("mean", "sd", "min", "max"):
        if not _number(stats.get(k)):
            return f"has {k!r}: {stats.get(k)!r}, where a number belongs"
    if (stats["min"], stats["max"]) != (min(values), max(values)) or not math.isclose(
            stats["mean"], math.fsum(values) / len(values), rel_tol=1e-9, abs_tol=1e-12):
        return "has a 'mean', 'min' or 'max' that does not match its 'values'"
    if not (stats.get("book") is None or _number(stats["book"])):
        return f"has a 'book' value {stats['book']!r} that is not a number or null"
    return ""


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(value, least):
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _refuse(name):
    raise ValueError(f"it contains {name}, which is not a number JSON allows")


def merge_spread(old, found, record, replace, path):
    """(the record to write, notes on what it replaced or dropped): the new entries ``found``
    ({id: statistics}) and the run's ``record`` merged with the file's ``old`` record.

    A file holds one number of seeds and one set of settings: old entries made otherwise
    are dropped only with ``replace`` (else SpreadFileError, before any training).
    """
    experiments = dict(old["experiments"]) if old else {}
    made = old.get("made_by") if old and isinstance(old.get("made_by"), dict) else {}
    made = {i: made.get(i) or _provenance(old) for i in experiments}
    notes = []
    if experiments and not _same(old, record):
        ids = ", ".join(experiments)
        if not replace:
            raise SpreadFileError(
                f"{path} holds entries made with {_made(old)}, and this run uses {_made(record)}; "
                f"they are not mixed in one file. Write this run to another file with --out, "
                f"or pass --replace to drop the file's entries ({ids})")
        notes.append(f"dropped from {path} (made with {_made(old)}): {ids}")
        experiments, made = {}, {}
    replaced = [i for i in found if i in experiments]
    kept = [i for i in experiments if i not in found]
    if replaced:
        notes.append(f"replaced in {path}: {', '.join(replaced)}")
    if kept:
        notes.append(f"kept in {path}: {', '.join(kept)}")
    experiments.update(found)
    made.update(dict.fromkeys(found, _provenance(record)))
    return {**record, "experiments": experiments, "made_by": made}, notes


def _settings(record):
    return {"epochs": None, "n": None, **record.get("settings", {})}


def _same(old, record):
    return (_settings(old) == _settings(record)
            and old.get("seeds", record["seeds"]) == record["seeds"])


def _made(record):
    capped = ", ".join(f"{k} capped at {v}" for k, v in _settings(record).items() if v)
    return f"{record.get('seeds', 'an unknown number of')} seeds and {capped or 'book settings'}"


def _provenance(record):
    return {k: record[k] for k in ("date", "command", "machine", "package_version",
                                   "wall_seconds", "note") if k in record}


def package_version():
    """The installed ch3_code's version ("unknown" in a checkout that is not installed)."""
    try:
        return version("ch3_code")
    except Exception:  # not installed, e.g. run from a checkout with PYTHONPATH
        return "unknown"


def machine():
    """The processor, its BLAS kernel, the OS and Python: float32 sums round differently from
    one BLAS kernel to another (OpenBLAS picks one per processor), so the same seed can end a
    few hundredths of a point apart on two machines."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        kernels = sorted({f"{i.get('internal_api')} {i.get('architecture')}"
                          for i in threadpool_info() if i.get("user_api") == "blas"})
    except Exception:  # threadpoolctl unable to inspect the libraries
        kernels = []
    blas = f", BLAS {' / '.join(kernels)}" if kernels else ""
    return (f"{cpu} ({platform.machine()}), {os.cpu_count()} CPUs{blas}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def check_writable(path):
    """Create the folder of ``path`` and a file in it, then remove that file: an OSError here,
    before hours of training, instead of after them. Also removes the temporary file of a
    write killed midway (older than STALE seconds: a live write takes milliseconds)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name, e.g. {path / 'x.json'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):  # another run may remove it first
            if time.time() - stale.stat().st_mtime > STALE:
                stale.unlink()
