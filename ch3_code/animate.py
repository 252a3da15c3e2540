"""Animations for notebooks and the book: the JavaScript player, and a still picture of its
most telling frame for every reader who cannot play it.

    from ch3_code import animate

    fig, ax = plt.subplots()
    (line,) = ax.plot([], [])

    def draw(k):                      # draw frame k (a value from ``frames``)
        line.set_data(t[:k + 1], a[:k + 1])

    animate.animation(fig, draw, frames=range(0, 301, 30),
                      alt="the output falls from 0.82 to 0.01 in 300 epochs")

The cell's output is one display bundle: ``text/html`` (matplotlib's ``to_jshtml`` player, which
a small script moves to the chosen frame, the last by default, before anyone presses Play, so
the page and its printout show the whole run; it fills the column: draw the figure at the
column's width, about 690 px) and ``image/png`` (the same frame, for viewers
that only show pictures). Inside the HTML the player starts ``hidden`` and a still ``<img>`` of
that frame is shown; the script swaps the two. Where scripts do not run (an untrusted notebook
in JupyterLab, GitHub, nbviewer) the sanitiser removes the script, so the still stays: never a
broken image or a dead slider.
"""

import base64
import html
import io
import uuid

import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

# The first view: the still is visible and the player hidden, until the script swaps them and
# moves the player to the chosen frame (matplotlib creates the player in a setTimeout, so the
# script waits for it). In the book a figure caption may wrap the output: ours then hides.
TEMPLATE = """<figure class="ch3-animation" id="{id}" data-frame="{frame}" style="margin: 0">
<img class="ch3-animation-still" alt="{alt}" src="data:image/png;base64,{png}"
     style="width: 100%; height: auto">
<div class="ch3-animation-player" hidden>
{player}
</div>
{caption}
<style>
#{id} .animation img {{ width: 100%; height: auto; }}
figure[id] #{id} > figcaption {{ display: none; }}
</style>
<script>
(function () {{
  var root = document.getElementById("{id}");
  var player = root.querySelector(".ch3-animation-player");
  var img = player.querySelector("img[id^=_anim_img]");
  var name = "anim" + img.id.slice("_anim_img".length);
  var tries = 0;
  (function start() {{
    var anim = window[name];
    if (!anim) {{ if (++tries < 200) setTimeout(start, 25); return; }}
    anim.set_frame({frame});
    img.alt = {alt_js};
    player.hidden = false;
    root.querySelector(".ch3-animation-still").hidden = true;
  }})();
}})();
</script>
</figure>"""


BLANK_PIXEL = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


def frame_png(fig):
    """PNG bytes of ``fig`` as it is drawn now (the figure's own size: the frames share it)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches=None)
    return buffer.getvalue()


class Animation:
    """A played animation: ``html`` (player and still), ``png`` (the still) and ``frame`` (the
    index, in ``frames``, of the frame shown first). Display it as a cell's last value."""

    def __init__(self, html_text, png, frame, alt):
        self.html, self.png, self.frame, self.alt = html_text, png, frame, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html,
                "image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": f"Animation ({self.alt}); it shows frame {self.frame} first"}


def still_index(still, count):
    """The index of the frame shown first: ``still`` counts like a list index (-1: the last)."""
    if isinstance(still, bool) or not isinstance(still, int):
        raise TypeError(f"still must be a frame index (an int, -1 for the last), not {still!r}")
    if not -count <= still < count:
        raise ValueError(f"still={still} is not a frame index: the animation has {count} "
                         f"frames, so give -{count} to {count - 1} (-1: the last)")
    return still % count


def animation(fig, draw, frames, *, alt, caption=None, still=-1, interval=150,
              mode="once"):
    """Play ``draw(frame)`` over ``frames`` on ``fig``: see the module docstring.

    ``alt`` describes the picture for readers who cannot see it (it becomes the still's and the
    player's alt text). ``caption``, if given, is shown under the animation where no numbered
    figure caption wraps it (JupyterLab); in the book give the cell's ``mystnb.figure.caption``
    instead, which the book numbers. ``still`` is the frame shown before Play, in print and as
    the picture (-1: the last, which shows the whole run). ``mode`` is what happens at the end
    of a play: "once", "loop" or "reflect". The figure is closed.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt is empty: describe what the animation shows in words, for "
                         "readers who cannot see it")
    frames = list(frames)
    if not frames:
        raise ValueError("frames is empty: give the frames to draw, e.g. range(0, 301, 30)")
    k = still_index(still, len(frames))
    try:
        player = FuncAnimation(fig, draw, frames=frames, interval=interval,
                               repeat=False).to_jshtml(default_mode=mode)
        draw(frames[k])
        png = frame_png(fig)
    finally:
        plt.close(fig)
    # matplotlib's player image has no src until its script runs; where scripts do not run
    # (an untrusted notebook) an empty <img> shows as a broken image: give it a blank pixel
    player = player.replace('<img id="_anim_img', f'<img src="{BLANK_PIXEL}" id="_anim_img', 1)
    text = TEMPLATE.format(
        id=f"ch3-animation-{uuid.uuid4().hex[:12]}", frame=k, alt=html.escape(alt),
        alt_js=_js_string(alt), png=base64.b64encode(png).decode("ascii"),
        player=player,
        caption=f"<figcaption>{html.escape(caption)}</figcaption>" if caption else "")
    return Animation(text, png, k, alt)


def _js_string(text):
    """``text`` as a JavaScript string literal that is safe inside a <script> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\u003c")
    return f'"{escaped}"'
