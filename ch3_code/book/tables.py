"""'Book vs this run' rows and tables from the registry's quantities.

``rows_for(experiment, values)`` turns measured values into row dicts (book value, this run,
difference, tolerance, status: within, outside, not rerun, no result or shown; a value
measured once outside the chapters is marked precomputed); ``Table(rows)`` shows them as
HTML (in a notebook and the book), Markdown or plain text, with a "seed spread" column from
``results/seed_spread.json`` (``python -m ch3_code.reproduce``): our own seeds' mean ± sd
and range with the book's settings, so a reader sees how far the seed alone moves a number.
"""
import html

from .experiments import NotRerun, Precomputed
from .results import get
from .spread_file import SpreadFileError, read_spread
from .stored import SPREAD_FILE, find

UNITS = {"%": " (%)", "points": " (points)"}


def plain(value):
    """A measured value as JSON: a number, None, {"not_rerun": reason} or
    {"precomputed": number, "note": how}."""
    if isinstance(value, NotRerun):
        return {"not_rerun": str(value)}
    if isinstance(value, Precomputed):
        return {"precomputed": float(value), "note": value.note}
    return None if value is None else float(value)


def _unplain(value):
    if isinstance(value, dict) and "precomputed" in value:
        return Precomputed(value["precomputed"], value.get("note", ""))
    return NotRerun(value["not_rerun"]) if isinstance(value, dict) else value


def load_spread(root=None):
    """The stored seed spread (a dict), or None if there is no ``results/seed_spread.json``
    (looked for in "..", "." and the checkout: see ``stored.find``)."""
    path = find(SPREAD_FILE, root)
    return read_spread(path) if path else None


def book_spread(root=None):
    """The stored seed spread if made with the book's settings (not a quick trial), else None;
    a damaged file gives None here (the scorecard and reproduce name what is wrong)."""
    try:
        stored = load_spread(root)
    except SpreadFileError:
        return None
    if stored and not any((stored.get("settings") or {}).values()):
        return stored
    return None


def spread_stats(spread, exp_id, key):
    """One quantity's seed statistics in ``spread`` (mean, sd, min, max, count), or None."""
    stats = ((spread or {}).get("experiments") or {}).get(exp_id, {}).get(key)
    return stats if stats and stats.get("mean") is not None else None


def spread_column(spread):
    """The "seed spread" cell of a row: mean ± sd (min to max, n seeds), and whether the book
    lies outside that range."""
    def cell(row):
        stats = spread_stats(spread, row["id"], row["key"])
        if not stats:
            return "–"
        d = row["digits"]
        text = (f"{stats['mean']:.{d}f} ± {stats['sd']:.{d}f} "
                f"({stats['min']:.{d}f} to {stats['max']:.{d}f}, {stats['count']} seeds)")
        return text + (", book outside" if stats.get("book_outside") else "")
    return cell


def rows_for(exp, values, chapter=None):
    """One row dict per quantity of ``exp`` from its measured ``values`` ({key: value})."""
    rows = []
    for q in exp.quantities:
        value = _unplain(values.get(q.key)) if values is not None else None
        if isinstance(value, NotRerun) and q.precomputed:
            stored = q.precomputed()  # measured once outside the chapter since it was run
            value = value if stored is None else stored
        ok = q.within(value)
        if isinstance(value, NotRerun):
            status = "not rerun"
        elif value is None:
            status = "no result"
        else:
            status = "shown" if ok is None else "within" if ok else "outside"
        number = None if value is None or isinstance(value, NotRerun) else value
        if q.band is not None:
            tolerance = f"{q.band[0]:g} to {q.band[1]:g}"
        else:
            tolerance = "–" if q.tol is None else f"±{q.tol:g}"
        rows.append(dict(id=exp.id, title=exp.title, url=exp.book_url, section=exp.section,
                         chapter=chapter or exp.chapter, key=q.key,
                         quantity=q.label + UNITS.get(q.unit, ""), book=q.book,
                         book_text=q.book_text, value=number, note=str(value or ""),
                         difference=None if number is None or q.book is None else number - q.book,
                         tolerance=tolerance, reason=q.reason, status=status, digits=q.digits,
                         where=q.where, precomputed=getattr(value, "note", "")
                         if isinstance(value, Precomputed) else ""))
    return rows


def evaluate(results):
    """Rows for ``{id: result}``: each result measured with its experiment's quantities."""
    rows = []
    for exp_id, result in results.items():
        exp = get(exp_id)
        rows += rows_for(exp, exp.measure(result) if result is not None else None)
    return rows


def _num(value, digits, sign=False):
    return "–" if value is None else f"{value:{'+' if sign else ''}.{digits}f}"


MARK = {"within": "✓ yes", "outside": "✗ no", "not rerun": "not rerun",
        "no result": "no result", "shown": "not checked"}


def _cells(row):
    book = (_num(row["book"], row["digits"]) if row["book"] is not None
            else row["book_text"] or "–")
    if row["book"] is not None and row["book_text"]:
        book += f" ({row['book_text']})"
    ours = row["note"] if row["status"] == "not rerun" else _num(row["value"], row["digits"])
    if row.get("precomputed"):
        ours += " (precomputed)"
    return [row["id"], row["quantity"], book, ours, _num(row["difference"], row["digits"], True),
            row["tolerance"], MARK[row["status"]]]


HEAD = ["experiment", "quantity", "book", "this run", "difference", "tolerance", "within"]
NUMERIC = (2, 3, 4)  # book, this run, difference: right-aligned in the HTML table


def chapter_name(notebook):
    """"chapter 2" for "01_cross_entropy": the book's table of contents numbers its chapter
    notebooks from 1 (``_toc.yml``), the files from 00."""
    return f"chapter {int(notebook[:2]) + 1}"


class Table:
    """A 'book vs this run' table: HTML in a notebook or the book, Markdown or text elsewhere.

    ``spread``: the seed-spread record for the "seed spread" column; "stored" (the default)
    reads ``results/seed_spread.json`` if it holds the book's settings, None leaves it out.
    """

    def __init__(self, rows, chapter_links=False, extra=None, spread="stored"):
        self.rows, self.chapter_links = rows, chapter_links
        spread = book_spread() if isinstance(spread, str) and spread == "stored" else spread
        self.extra = {**({"seed spread": spread_column(spread)} if spread else {}),
                      **(extra or {})}
        self.notes = {}  # the reasons for the tolerances, then how a value was precomputed
        for row in rows:
            for text in (row["reason"], row.get("precomputed")):
                if text:
                    self.notes.setdefault(text, len(self.notes) + 1)

    def _head(self):
        return HEAD + (["chapter"] if self.chapter_links else []) + list(self.extra)

    def _row(self, row):
        cells = _cells(row)
        if row["reason"]:
            cells[5] += f" [{self.notes[row['reason']]}]"
        if row.get("precomputed"):
            cells[3] += f" [{self.notes[row['precomputed']]}]"
        if self.chapter_links:
            cells.append(chapter_name(row["chapter"]))
        return cells + [fn(row) for fn in self.extra.values()]

    def _repr_html_(self):
        """An HTML table; an experiment's id (linked to the book) spans its rows."""
        esc = html.escape
        out = ['<div class="ch3-results" style="overflow-x:auto">'
               '<table style="font-size:0.85em">',
               "<thead><tr>" + "".join(f'<th class="num">{esc(h)}</th>' if j in NUMERIC
                                       else f"<th>{esc(h)}</th>"
                                       for j, h in enumerate(self._head()))
               + "</tr></thead>",
               "<tbody>"]
        spans = {}
        for row in self.rows:
            spans[row["id"]] = spans.get(row["id"], 0) + 1
        for i, row in enumerate(self.rows):
            cells = [f'<td class="num">{esc(c)}</td>' if j in NUMERIC else f"<td>{esc(c)}</td>"
                     for j, c in enumerate(self._row(row))]
            first = i == 0 or self.rows[i - 1]["id"] != row["id"]
            span = f' rowspan="{spans[row["id"]]}"' if spans[row["id"]] > 1 else ""
            cells[0] = (f'<td{span}><a href="{esc(row["url"], quote=True)}" title="'
                        f'{esc(row["title"])}; book section: {esc(row["section"])}">'
                        f'{esc(row["id"])}</a>'
                        '</td>') if first else ""
            if self.chapter_links:
                cells[7] = (f'<td{span}><a href="chapters/{esc(row["chapter"])}.html">'
                            f'{esc(chapter_name(row["chapter"]))}</a></td>') if first else ""
            out.append(f'<tr class="{row["status"].replace(" ", "-")}">' + "".join(cells)
                       + "</tr>")
        out.append("</tbody></table></div>")
        if self.notes:
            out.append('<p style="font-size:0.85em">Why a tolerance is what it is'
                       + ("; how a value was precomputed" * self._precomputed()) + ':</p>'
                       '<ol style="font-size:0.85em">'
                       + "".join(f"<li>{esc(r)}</li>" for r in self.notes) + "</ol>")
        return "\n".join(out)

    def _precomputed(self):
        return any(row.get("precomputed") for row in self.rows)

    def _repr_markdown_(self):
        lines = ["| " + " | ".join(self._head()) + " |",
                 "|" + "---|" * len(self._head())]
        for row in self.rows:
            cells = [c.replace("|", "\\|") for c in self._row(row)]
            cells[0] = f"[{cells[0]}]({row['url']})"
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines + [""] + [f"{k}. {r}" for r, k in self.notes.items()])

    def __str__(self):
        table = [self._head()] + [self._row(r) for r in self.rows]
        widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
        return "\n".join(lines + [""] + [f"[{k}] {r}" for r, k in self.notes.items()])

    def __repr__(self):
        return str(self)
