"""ch3_code.animate: the player starts on the chosen frame, with a still for static viewers."""

import base64
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ch3_code import animate  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")   # a refused call leaves the caller's figure open, as it should


def growing_line():
    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=40)
    ax.set(xlim=(0, 9), ylim=(0, 9))
    (line,) = ax.plot([], [], lw=4)
    drawn = []

    def draw(k):
        drawn.append(k)
        line.set_data(np.arange(k + 1), np.arange(k + 1))

    return fig, draw, drawn


def test_bundle_has_player_and_still_of_the_last_frame():
    fig, draw, drawn = growing_line()
    anim = animate.animation(fig, draw, frames=range(0, 10, 3), alt="a line grows",
                             caption="A growing line.")
    bundle = anim._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert anim.frame == 3 and drawn[-1] == 9          # frames 0, 3, 6, 9: the last is drawn
    assert base64.b64decode(bundle["image/png"]) == anim.png
    html = bundle["text/html"]
    assert "anim.set_frame(3)" in html
    assert re.search(r'class="ch3-animation-still" alt="a line grows" src="data:image/png', html)
    assert 'class="ch3-animation-player" hidden' in html
    assert "<figcaption>A growing line.</figcaption>" in html
    assert html.count('id="_anim_img') == 1
    assert not plt.get_fignums()                        # the figure is closed


def test_still_differs_from_the_first_frame():
    fig, draw, _ = growing_line()
    last = animate.animation(fig, draw, frames=range(0, 10, 3), alt="x").png
    fig, draw, _ = growing_line()
    first = animate.animation(fig, draw, frames=range(0, 10, 3), alt="x", still=0)
    assert first.frame == 0 and "anim.set_frame(0)" in first.html
    assert first.png != last


def test_bad_arguments_are_named():
    fig, draw, _ = growing_line()
    with pytest.raises(ValueError, match="still=4"):
        animate.animation(fig, draw, frames=range(4), alt="x", still=4)
    with pytest.raises(ValueError, match="alt"):
        animate.animation(fig, draw, frames=range(4), alt=" ")
    with pytest.raises(ValueError, match="frames is empty"):
        animate.animation(fig, draw, frames=[], alt="x")
    with pytest.raises(TypeError, match="still"):
        animate.animation(fig, draw, frames=range(4), alt="x", still=1.0)


def test_alt_text_is_escaped():
    fig, draw, _ = growing_line()
    html = animate.animation(fig, draw, frames=range(2), alt='a "<b>" & c').html
    assert 'alt="a &quot;&lt;b&gt;&quot; &amp; c"' in html
    assert "<b>" not in html.split("<script>")[-1]


def test_the_players_image_is_never_empty_where_scripts_do_not_run():
    """Untrusted, the script that fills matplotlib's player never runs: no broken image."""
    import re

    fig, ax = plt.subplots()
    (line,) = ax.plot([], [])
    result = animate.animation(fig, lambda k: line.set_data([0, k], [0, k]), range(3),
                               alt="a line that grows")
    tags = re.findall(r"<img[^>]*_anim_img[^>]*>", result.html)
    assert tags and all('src="data:image/' in tag for tag in tags)
