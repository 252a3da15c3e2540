"""Interactive explorers: sliders that redraw a figure, with a picture saved for readers.

    from ch3_code import explore

    def draw(w=2.0, b=2.0, cost="both"):
        fig, ax = plt.subplots(figsize=(6, 3))
        ...                       # draw for this setting
        return fig                # return the figure; do not call plt.show()

    explore.explorer(draw, {"w": (-4.0, 4.0, 0.1, 2.0),      # (min, max, step, value)
                            "b": (-4.0, 4.0, 0.1, 2.0),
                            "cost": ["both", "quadratic", "cross-entropy"]})

ipywidgets' ``interactive_output`` does the live part; this module adds what it lacks. The cell's
saved output is one display bundle that holds the widget *and* a PNG of the first setting (and a
plain-text line instead of ``HBox(children=...)``). A front end that can show the live widget
(JupyterLab with a kernel, or a page with the saved widget state and the widget manager) shows
it; one that cannot (a freshly opened notebook, a book page without the widget manager) shows
the picture of the first setting.

In the book's HTML no kernel runs: ``_static/ch3-explorers.js`` finds the explorers (the
``ch3-explorer`` class on the widget), disables their controls and says in one line that they
move in a live notebook, so nothing on the page looks live that is not. Float sliders read out
as many decimals as their step has (``readout_format``), so the read-out, and the value a
screen reader announces, says 3.2 and not 3.1999999999999993.
"""

import base64
import decimal
import html
import io
import numbers

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import HTML, display
from matplotlib.figure import Figure

SLIDER_LAYOUT = {"width": "300px"}
EXPLORER_CLASS = "ch3-explorer"


def control(name, spec):
    """The widget for one explorer setting.

    ``spec`` is a widget (used as it is), a ``(min, max, step, value)`` tuple (an IntSlider if all
    four are integers, else a FloatSlider), or a list of choices (a Dropdown; the first is the
    starting value). Sliders redraw when released (``continuous_update=False``): each redraw
    can take a second.
    """
    if isinstance(spec, widgets.ValueWidget):
        return spec
    if isinstance(spec, tuple) and len(spec) == 4 and all(
            isinstance(v, numbers.Real) for v in spec):
        lo, hi, step, value = spec
        if not lo <= value <= hi:
            raise ValueError(f"explorer setting {name!r}: the value {value} is outside "
                             f"[{lo}, {hi}]; give (min, max, step, value) in that order")
        if all(isinstance(v, numbers.Integral) for v in spec):
            return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=name,
                                     continuous_update=False,
                                     layout=widgets.Layout(**SLIDER_LAYOUT))
        places = decimals(step)
        return widgets.FloatSlider(value=round(value, places), min=lo, max=hi, step=step,
                                   description=name, readout_format=f".{places}f",
                                   continuous_update=False,
                                   layout=widgets.Layout(**SLIDER_LAYOUT))
    if isinstance(spec, list) and spec:
        return widgets.Dropdown(options=spec, value=spec[0], description=name)
    raise TypeError(f"explorer setting {name!r}: give a (min, max, step, value) tuple, a "
                    f"non-empty list of choices or an ipywidgets control, not {spec!r}")


def decimals(step):
    """The number of decimals a slider with this step needs (0.1 -> 1, 0.05 -> 2, 2.0 -> 0)."""
    exponent = decimal.Decimal(repr(float(step))).normalize().as_tuple().exponent
    return max(0, -exponent)


def figure_png(fig):
    """The PNG bytes of a figure, as the inline backend would show it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class Explorer:
    """Sliders (``controls``, a dict name -> widget) and the figure ``draw(**values)`` returns.

    Displaying it (the last line of a cell, or ``display(explorer)``) shows one output: the
    live widget, with a PNG of the first setting saved beside it for front ends without a
    kernel. ``values()`` is the current setting; ``redraw()`` draws it into ``output``.
    """

    def __init__(self, draw, sliders, columns=2, alt=None):
        if not callable(draw):
            raise TypeError(f"draw must be a function that returns a figure, not {draw!r}")
        if not sliders:
            raise ValueError("sliders is empty: give at least one setting to explore")
        self.draw = draw
        self.alt = alt
        self.controls = {name: control(name, spec) for name, spec in sliders.items()}
        self.output = widgets.Output()
        rows = -(-len(self.controls) // max(1, columns))  # controls per column, rounded up
        items = list(self.controls.values())
        self.widget = widgets.VBox([
            widgets.HBox([widgets.VBox(items[i:i + rows]) for i in range(0, len(items), rows)]),
            self.output,
        ])
        self.widget.add_class(EXPLORER_CLASS)  # the book's script finds explorers by it
        self.first_png = figure_png_of(self._figure(self.values()))
        for w in self.controls.values():
            w.observe(lambda change: self.redraw(), names="value")
        self.redraw()

    def values(self):
        return {name: w.value for name, w in self.controls.items()}

    def _figure(self, values):
        fig = self.draw(**values)
        if not isinstance(fig, Figure):
            plt.close("all")
            raise TypeError("the explorer's draw function must return the matplotlib Figure "
                            f"it drew (end it with `return fig`, not plt.show()); it returned "
                            f"{type(fig).__name__}")
        return fig

    def redraw(self):
        """Draw the current setting into the output widget (a callback of every control)."""
        with self.output:
            self.output.clear_output(wait=True)
            png = base64.b64encode(figure_png_of(self._figure(self.values()))).decode("ascii")
            # an <img> with alt text (a bare figure would give the saved page an image that a
            # screen reader cannot describe): the alt names the explorer's setting
            display(HTML(f'<img alt="{html.escape(self.alt_text())}" '
                         f'src="data:image/png;base64,{png}" style="max-width: 100%">'))

    def alt_text(self):
        setting = ", ".join(f"{k} = {v}" for k, v in self.values().items())
        return f"{self.alt}: {setting}" if self.alt else f"the explorer's figure for {setting}"

    def describe(self):
        setting = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"Explorer ({setting}): run the cell to move the sliders."

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.widget._repr_mimebundle_())
        bundle["image/png"] = base64.b64encode(self.first_png).decode("ascii")
        bundle["text/plain"] = self.describe()
        return bundle


def figure_png_of(fig):
    """PNG bytes of ``fig``, which is then closed (so the inline backend does not show it too)."""
    try:
        return figure_png(fig)
    finally:
        plt.close(fig)


def explorer(draw, sliders, columns=2, alt=None):
    """An :class:`Explorer` of ``draw`` over ``sliders`` (see the module docstring).

    ``alt`` describes the figure for readers who cannot see it; the current setting is
    added to it.
    """
    return Explorer(draw, sliders, columns=columns, alt=alt)
