"""'Book vs this run' rows and tables from the registry's quantities.

``rows_for(experiment, values)`` turns measured values into row dicts (book value, this run,
difference, tolerance, status: within, outside, not rerun, no result or shown);
``Table(rows)`` shows them as HTML (in a notebook and the book), Markdown or plain text.
"""
import html

from .experiments import NotRerun
from .results import get

UNITS = {"%": " (%)", "points": " (points)"}


def plain(value):
    """A measured value as JSON: a number, None or {"not_rerun": reason}."""
    if isinstance(value, NotRerun):
        return {"not_rerun": str(value)}
    return None if value is None else float(value)


def _unplain(value):
    return NotRerun(value["not_rerun"]) if isinstance(value, dict) else value


def rows_for(exp, values, chapter=None):
    """One row dict per quantity of ``exp`` from its measured ``values`` ({key: value})."""
    rows = []
    for q in exp.quantities:
        value = _unplain(values.get(q.key)) if values is not None else None
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
                         where=q.where))
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
    return [row["id"], row["quantity"], book, ours, _num(row["difference"], row["digits"], True),
            row["tolerance"], MARK[row["status"]]]


HEAD = ["experiment", "quantity", "book", "this run", "difference", "tolerance", "within"]


class Table:
    """A 'book vs this run' table: HTML in a notebook or the book, Markdown or text elsewhere."""

    def __init__(self, rows, chapter_links=False, extra=None):
        self.rows, self.chapter_links, self.extra = rows, chapter_links, extra or {}
        self.notes = {}  # the reasons for the tolerances, numbered in order of appearance
        for row in rows:
            if row["reason"]:
                self.notes.setdefault(row["reason"], len(self.notes) + 1)

    def _head(self):
        return HEAD + (["chapter"] if self.chapter_links else []) + list(self.extra)

    def _row(self, row):
        cells = _cells(row)
        if row["reason"]:
            cells[5] += f" [{self.notes[row['reason']]}]"
        if self.chapter_links:
            cells.append(row["chapter"])
        return cells + [fn(row) for fn in self.extra.values()]

    def _repr_html_(self):
        """An HTML table; an experiment's id (linked to the book) spans its rows."""
        esc = html.escape
        out = ['<div class="ch3-results" style="overflow-x:auto">'
               '<table style="font-size:0.85em">',
               "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in self._head())
               + "</tr></thead>",
               "<tbody>"]
        spans = {}
        for row in self.rows:
            spans[row["id"]] = spans.get(row["id"], 0) + 1
        for i, row in enumerate(self.rows):
            cells = [f"<td>{esc(c)}</td>" for c in self._row(row)]
            first = i == 0 or self.rows[i - 1]["id"] != row["id"]
            span = f' rowspan="{spans[row["id"]]}"' if spans[row["id"]] > 1 else ""
            cells[0] = (f'<td{span}><a href="{esc(row["url"], quote=True)}" title="'
                        f'{esc(row["title"])}; book section: {esc(row["section"])}">'
                        f'{esc(row["id"])}</a>'
                        '</td>') if first else ""
            if self.chapter_links:
                cells[7] = (f'<td{span}><a href="chapters/{esc(row["chapter"])}.html">'
                            f'chapter {esc(row["chapter"][:2])}</a></td>') if first else ""
            out.append(f'<tr class="{row["status"].replace(" ", "-")}">' + "".join(cells)
                       + "</tr>")
        out.append("</tbody></table></div>")
        if self.notes:
            out.append('<p style="font-size:0.85em">Why a tolerance is what it is:</p>'
                       '<ol style="font-size:0.85em">'
                       + "".join(f"<li>{esc(r)}</li>" for r in self.notes) + "</ol>")
        return "\n".join(out)

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
