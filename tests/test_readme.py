"""README.md is a newcomer's page: short, no typed measurements, and true to the Makefile.

Figures (timings, speed-ups, memory, accuracies) are generated where they are measured
(benchmarks/README.md, the book's execution statistics, results/), so the README only points
to them: a typed figure goes stale the day the code changes. The licence section is checked in
test_licence.py.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf8")
MAX_LINES = 130

# a number followed by a unit of time, a speed-up, a size in memory or a percentage
MEASUREMENTS = re.compile(
    r"\b\d[\d,.]*\s*(?:s|ms|µs|us|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b"
    r"|\b\d[\d,.]*\s*x\s+(?:faster|slower|the)\b"
    r"|\b\d[\d,.]*\s*(?:KB|MB|GB|KiB|MiB|GiB)\b"
    r"|\b\d[\d,.]*\s*%",
    re.IGNORECASE)


def prose(markdown):
    """The README without link targets and code spans, where digits are names, not figures."""
    markdown = re.sub(r"\]\([^)]*\)", "]", markdown)
    markdown = re.sub(r"<https?://[^>]*>", "", markdown)
    return re.sub(r"`[^`\n]*`", "", markdown)


def test_readme_is_short():
    lines = README.count("\n")
    assert lines <= MAX_LINES, (
        f"README.md has {lines} lines, more than {MAX_LINES}: it is a newcomer's page; move "
        "details to CONTRIBUTING.md (modules, when things go wrong) or benchmarks/README.md")


def test_readme_quotes_no_measurement():
    found = [m.group(0) for m in MEASUREMENTS.finditer(prose(README))]
    assert not found, (
        f"README.md types measured figures {found}: point to the generated page instead "
        "(benchmarks/README.md, the execution statistics, results/README.md)")


def test_the_measurement_check_catches_typed_figures():
    for typed in ["takes 261 s", "about 4 minutes", "6.3x faster", "331 MB", "95.68 %",
                  "0.4 seconds", "1.88x the"]:
        assert MEASUREMENTS.search(prose(typed)), typed
    for fine in ["Python 3.11", "CC BY 4.0", "chapter 00", "`make test -n 2`",
                 "[x](https://e.org/1s)"]:
        assert not MEASUREMENTS.search(prose(fine)), fine


def test_readme_keeps_the_badges_and_the_link_to_the_book():
    for words in ["https://mybinder.org/badge_logo.svg",
                  "https://colab.research.google.com/assets/colab-badge.svg",
                  "https://ch3-companion.github.io/nndl-ch3-companion/"]:
        assert words in README, words


def test_readme_points_to_where_figures_and_details_live():
    for target in ["CONTRIBUTING.md", "benchmarks/README.md", "results/README.md",
                   "exec_stats.html"]:
        assert f"({target})" in README or f"/{target})" in README, target


def makefile_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf8")
    return set(re.findall(r"^([a-z][a-z-]*):", text, re.M)), text


def test_every_make_command_in_the_readme_exists():
    targets, _ = makefile_targets()
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert named, "the README names no make command"
    assert not named - targets, f"README.md names make targets the Makefile lacks: {named - targets}"


def test_readme_lists_every_stage_of_make_test_in_order():
    _, text = makefile_targets()
    recipe = re.search(r"^test: browser-deps.*?\n((?:\t.*\n)+)", text, re.M).group(1)
    stages = re.findall(r"\btest-[a-z]+\b", recipe)
    assert stages, "no stages found in the Makefile's test recipe"
    section = re.search(r"^## How the tests are staged\n(.*?)(?=^## )", README, re.M | re.S).group(1)
    listed = re.findall(r"^\d+\. `make (test-[a-z]+)`", section, re.M)
    assert listed == stages, f"README lists {listed}; `make test` runs {stages}"


def test_the_sections_the_readme_names_exist_in_contributing():
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf8")
    headings = set(re.findall(r"^## (.+)$", contributing, re.M))
    bullet = re.search(r"^- \[CONTRIBUTING\.md\].*?(?=^- |\Z)", README, re.M | re.S).group(0)
    named = set(re.findall(r'"([^"]+)"', " ".join(bullet.split())))
    assert named, "the README names no section of CONTRIBUTING.md"
    assert named <= headings, f"sections the README names but CONTRIBUTING.md lacks: {named - headings}"
