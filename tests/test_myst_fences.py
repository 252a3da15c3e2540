"""Every markdown cell parsed the way MyST parses it: no directive closed early by an inner fence.

A directive written with a three-backtick fence (```` ```{admonition} ````) that holds a
three-backtick code block is closed by the code block's closing fence: the rest of the
solution lands outside the dropdown and an empty code block appears. The outer fence must be
longer (four backticks) or a colon fence (``:::{admonition}``).
"""
import json
import re
from pathlib import Path

import pytest
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb")) + [ROOT / "scorecard.ipynb"]
EXTENSIONS = {"amsmath", "dollarmath", "colon_fence", "deflist", "substitution"}  # _config.yml
FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,})")


def early_closes(text):
    """The directives in ``text`` whose body holds a fence as long as their own (a sign that
    an inner code block's closing fence closed the directive)."""
    md = create_md_parser(MdParserConfig(enable_extensions=EXTENSIONS), RendererHTML)
    found = []
    for token in md.parse(text):
        if token.type != "fence" or not token.info.strip().startswith("{"):
            continue
        for line in token.content.splitlines():
            m = FENCE_LINE.match(line)
            if m and m.group(1)[0] == token.markup[0] and len(m.group(1)) >= len(token.markup):
                found.append(f"{token.info.strip()} (line {token.map[0] + 1}) holds {line.strip()!r}")
    return found


def test_the_check_finds_a_directive_closed_by_an_inner_fence():
    bad = "```{admonition} Solution\n:class: dropdown\n\n```python\nx = 1\n```\n\nWhy.\n```\n"
    good = bad.replace("```{admonition}", "````{admonition}").rstrip("`\n") + "\n````\n"
    colon = bad.replace("```{admonition}", ":::{admonition}").rstrip("`\n") + "\n:::\n"
    assert early_closes(bad) and not early_closes(good) and not early_closes(colon)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_directive_is_closed_early(path):
    cells = json.loads(path.read_text(encoding="utf8"))["cells"]
    problems = [f"cell {i}: {p}" for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                for p in early_closes("".join(c["source"]))]
    assert not problems, f"{path.name}: use a longer outer fence or :::\n  " + "\n  ".join(problems)
