"""The scorecard's reproduction chart (ch3_code.book.chart): each quantity on its own scale."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ch3_code.book import chart  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """No figure left open for later tests in the same process (they count open figures)."""
    yield
    plt.close("all")


def row(exp_id, key, book, value):
    return dict(id=exp_id, key=key, book=book, value=value, quantity=key)


def test_a_tolerance_quantity_is_measured_in_tolerances_from_the_book():
    # L2-50k's best test accuracy: book 96.49, tolerance 0.5
    p = chart.positions(row("L2-50k", "best_test", 96.49, 96.24),
                        {"min": 95.99, "mean": 96.24, "max": 96.74})
    assert p["book"] == 0
    assert abs(p["run"] + 0.5) < 1e-9
    assert [round(x, 9) for x in p["spread"]] == [-1.0, -0.5, 0.5]


def test_a_band_quantity_is_measured_in_half_bands_from_its_middle():
    # OVERFIT-1k's epoch of the best test accuracy: band 200 to 399, book 374
    p = chart.positions(row("OVERFIT-1k", "best_test_epoch", 374, 200), None)
    assert abs(p["run"] + 1) < 1e-9 and 0 < p["book"] < 1 and p["spread"] is None


def test_the_alt_text_counts_what_the_chart_shows():
    rows = [row("L2-50k", "best_test", 96.49, 96.30), row("CE-30", "best_test", 95.49, 97.0)]
    spreads = {("L2-50k", "best_test"): {"min": 95.9, "mean": 96.1, "max": 96.3}}
    text = chart.alt_text(rows, lambda i, k: spreads.get((i, k)))
    assert "2 quantities" in text and "inside the tolerance band for 1 of them" in text
    assert "outside our seeds' range for 1: L2-50k best_test" in text


def test_one_row_per_quantity_with_a_scale():
    rows = [row("L2-50k", "best_test", 96.49, 96.30), row("CE-30", "best_test", 95.49, 99.9)]
    fig = chart.reproduction_chart(rows, lambda i, k: None)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["L2-50k: best_test", "CE-30: best_test"]


def test_the_figure_html_carries_the_alt_text_and_caption():
    fig = chart.reproduction_chart([row("CE-30", "best_test", 95.49, 95.6)], lambda i, k: None)
    text = chart.figure_html(fig, 'a "quoted" alt', caption="the caption")
    assert 'alt="a &quot;quoted&quot; alt"' in text and "<figcaption>the caption" in text
    assert text.count("data:image/png;base64,") == 1


def test_the_scorecard_command_writes_the_chart(tmp_path, capsys):
    from ch3_code.book import scorecard

    assert scorecard.main(["--plot", tmp_path / "chart.png"]) == 0
    assert (tmp_path / "chart.png").stat().st_size > 10_000
    assert "The reproduction chart is in" in capsys.readouterr().out
