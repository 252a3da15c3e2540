"""Open every page of the built book (_build/html) in headless Chromium, offline, and check it.

Run by `make test` after the book build (`make test-browser`). The pages are served from
127.0.0.1 and every request that leaves the site is blocked and fails the test: the book serves
its own MathJax, RequireJS, widget manager and Font Awesome (tools/book_ext.py). For each page,
at 1280 px in light mode:

* no error output, traceback, widget error or docutils error box; no JavaScript exception, no
  console error, no HTTP error; every image has loaded;
* math is typeset by MathJax, without MathJax errors, and no raw math (`$...$`, `\\(`, `\\[`)
  is left in the text;
* no markdown table left as text (a text node that starts with `|` and holds a `|---|` rule,
  also after Sphinx's smart quotes made the dashes an em dash);
* no `NBVAL` marker visible;
* every image in the article has real alt text (not empty, not a file name);
* no code or output block wider than its column by more than a few characters;
* a red progress bar only where the run diverged (its output says so);
* chapter pages: the progress-bar widgets render from the stored widget state, or the text
  summary line is there; the Binder and Colab links open this page's notebook.

In light and dark mode at 1280 px: axe-core (WCAG 2.1 A and AA, from the npm package pinned in
tests/browser/package-lock.json) finds no violation; the results tables are styled (cell
padding, a header rule) in the page's own colours, not on a light slab in dark mode; no formula
is a Tab stop, and every Tab stop shows where the focus is.

What a reader sees of the chapters (at 1280 px, light): chapter numbers in link texts agree with
the sidebar's (numbered from _toc.yml), and no "chapter 01" file-style number is in the text;
the code of an exercise's check cell (hide-input) is not visible before its toggle is opened,
and no visible code in an Exercises section compares with a number; every animation
(ch3_code.animate) shows its chosen frame, not the empty first one, with its still hidden;
every explorer's controls are disabled with a note that they need a live notebook.

Then at 390 px the page itself must not scroll sideways. Full-page screenshots at 1280 and
390 px, light and dark, go to _build/screenshots/ (NAME.1280.light.png, ...).

Without a built book the test is skipped, unless CH3_BROWSER_TEST=required (as in `make test`),
which makes a missing build a failure. CHROMIUM overrides /usr/bin/chromium.
"""

import functools
import os
import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
# CH3_BOOK_HTML: a book built elsewhere (jupyter-book build --path-output DIR: DIR/_build/html)
HTML = Path(os.environ.get("CH3_BOOK_HTML", ROOT / "_build" / "html"))
SHOTS = HTML.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REQUIRED = os.environ.get("CH3_BROWSER_TEST", "") == "required"
WIDTHS = (1280, 390)
# A code or output block may be wider than its column by this many characters at 1280 px
# (lines of 88 characters fit: _static/ch3.css)
SLACK_CHARS = 0.5
# Playwright's default wait is 30 s; a long chapter page, loaded two at a time (make test runs
# this stage with pytest -n 2) on a busy 2-core CI machine, has needed more (CI, stop 22:
# a wait on chapter 6 timed out). Every wait of this file gets this much instead.
PAGE_TIMEOUT_MS = 120_000
# The summary line that training prints at the end of a run (History.summary()), e.g.
# "30 epochs, 9.1 s: best test accuracy 95.42% (epoch 27), final 95.31%": the evidence of a
# training run on a chapter page without widgets.
SUMMARY_RE = re.compile(os.environ.get("CH3_SUMMARY_RE", r"\b\d+ epochs?, \d+(\.\d+)? s\b"))
# what an output says when a red (danger) bar is right: the run diverged or failed
DIVERGED_RE = re.compile(r"diverg|\bnan\b|overflow", re.I)
SKIP_PAGES = {"search.html", "genindex.html", "index.html"}  # index.html: redirect to intro
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core violations that are the theme's and that the book cannot fix, rule id -> upstream
# reason. Empty: the theme's own (its search and colour-mode buttons' labels) are fixed by
# _static/ch3-a11y.js. An entry here must say why it cannot be fixed by our CSS or templates.
THEME_VIOLATIONS = {}
# how many Tab presses are checked for a visible focus ring, from the top of the page
TAB_STOPS_CHECKED = 40


def built_pages():
    if not HTML.is_dir():
        return []
    return sorted(
        p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith("_") and p.name not in SKIP_PAGES
    )


def book_config():
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))


def _skip_or_fail(message):
    if REQUIRED:
        pytest.fail(message + " (CH3_BROWSER_TEST=required)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def server():
    if not (HTML / "index.html").is_file():
        _skip_or_fail("no built book: run `make test-book` (or `make book`) first")
    handler = functools.partial(QuietHandler, directory=str(HTML))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"no Chromium at {CHROMIUM}: sudo apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageVisit:
    """Loads one page with every request off the site blocked; records what went wrong."""

    def __init__(self, context):
        self.blocked, self.console_errors, self.page_errors, self.http_errors = [], [], [], []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on("response", self._response)
        self.pending, self.last_activity = {}, time.monotonic()  # see wait_until_quiet
        self.page.on("request", self._started)
        self.page.on("requestfinished", self._ended)
        self.page.on("requestfailed", self._ended)

    def _route(self, route):
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            return route.continue_()
        self.blocked.append(url)
        return route.abort()

    def _started(self, request):
        self.pending[request] = request.url
        self.last_activity = time.monotonic()

    def _ended(self, request):
        self.pending.pop(request, None)
        self.last_activity = time.monotonic()

    def wait_until_quiet(self, idle_seconds=0.5, timeout_seconds=PAGE_TIMEOUT_MS / 1000):
        """Wait until no request of the page is pending and none started for idle_seconds.

        Playwright's own wait_for_load_state("networkidle") is what this replaces: with every
        request routed through page.route it sometimes never fired on a loaded machine (two
        pages at a time, CI at stop 22, and locally with nothing pending), and Playwright's
        documentation discourages it. Here the page's own request events decide.
        """
        start = time.monotonic()
        while True:
            self.page.wait_for_timeout(100)  # lets Playwright deliver the request events
            now = time.monotonic()
            if not self.pending and now - self.last_activity >= idle_seconds:
                return
            if now - start > timeout_seconds:
                raise AssertionError(f"the network did not go quiet in {timeout_seconds:.0f} s; "
                                     f"requests pending: {sorted(self.pending.values())[:10]}")

    def _response(self, response):
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def _console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def problems(self):
        found = [f"JavaScript exception: {e}" for e in self.page_errors]
        found += [f"HTTP error: {e}" for e in self.http_errors]
        found += [f"console error: {e}" for e in self.console_errors  # reported below
                  if "net::ERR_FAILED" not in e and "Failed to load resource" not in e]
        found += [f"request leaving the site (blocked): {u}" for u in self.blocked]
        return found


def wait_for_images(page):
    return page.evaluate(
        """async () => {
            const imgs = [...document.images];
            imgs.forEach(img => { img.loading = "eager"; });
            await Promise.all(imgs.map(img => img.complete ? null :
                new Promise(r => { img.addEventListener("load", r);
                                   img.addEventListener("error", r);
                                   setTimeout(r, 10000); })));
            return imgs.filter(img => !(img.naturalWidth > 0))
                       .map(img => img.getAttribute("src"));
        }"""
    )


def wait_for_mathjax(page):
    """Wait for MathJax to typeset; return (number of math elements, containers, errors)."""
    n_math = page.locator(".math, .amsmath").count()
    if n_math == 0:
        return 0, 0, []
    try:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=PAGE_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 - reported as a problem of the page
        return n_math, 0, ["MathJax did not load"]
    page.evaluate("() => MathJax.startup.promise")
    containers = page.locator("mjx-container").count()
    errors = page.eval_on_selector_all(
        "mjx-merror", "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)")
    return n_math, containers, errors


def check_widgets_or_summary(page, problems):
    """Stored widgets render; a training run shows as a progress bar or as its summary line."""
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    bars = 0
    if views:
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('.jupyter-widgets').length >= n"
                " || document.body.innerText.includes('Error displaying widget')",
                arg=views, timeout=PAGE_TIMEOUT_MS)
        except Exception:  # noqa: BLE001 - what was found is reported below
            pass
        if page.locator(".jupyter-widgets").count() == 0:
            problems.append(f"{views} widget view(s) did not render from the stored widget state")
        bars = page.locator(".jupyter-widgets.widget-hprogress, .jupyter-widgets.widget-vprogress,"
                            " .jupyter-widgets .progress-bar").count()
    outputs = page.locator(".cell_output").all_inner_texts()
    if not bars and not any(SUMMARY_RE.search(text) for text in outputs):
        problems.append("no progress bar rendered from the stored widget state and no summary "
                        f"line (/{SUMMARY_RE.pattern}/) in the outputs")


def check_launch_links(page, rel, problems):
    config = book_config()
    repo = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    owner_repo = urlparse(repo).path.strip("/")
    notebook = rel[: -len(".html")] + ".ipynb"
    if not (ROOT / notebook).is_file():
        problems.append(f"page {rel} has no notebook {notebook} in the repository")
    binder = config["launch_buttons"]["binderhub_url"].rstrip("/")
    expected = {
        "Binder": f"{binder}/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{notebook}",
        "Colab": f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{notebook}",
    }
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for name, url in expected.items():
        if url not in hrefs:
            found = [h for h in hrefs if name.lower() in h.lower()]
            problems.append(f"{name} link should be {url}, found {found}")



# Text of the article outside code, code cells and typeset math, as a list of text nodes.
PROSE_TEXT_JS = """() => {
    const root = document.querySelector("article") || document.body;
    const skip = "pre, code, script, style, mjx-container, .cell_input, .highlight, textarea";
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest(skip) || !el.checkVisibility()) continue;
        if (n.textContent.trim()) out.push(n.textContent);
    }
    return out;
}"""
# a markdown table left as text: starts with "|" and has a |---| rule (Sphinx's smart quotes
# turn "---" into an em dash and "--" into an en dash)
RAW_TABLE_RE = re.compile(r"\s*\|.*\|\s*:?(---|[\u2013\u2014])[-\u2013\u2014]*:?\s*\|", re.S)
FILE_NAME_RE = re.compile(r"^[\w./\\:-]+\.(png|jpe?g|svg|gif|webp)$", re.I)
RAW_MATH_RE = re.compile(r"\\\(|\\\[|\$\$|(?<![\\\w])\$[^\s$][^$]*?(?<![\s\\])\$")

WIDE_BLOCKS_JS = """(slack) => {
    const out = [];
    for (const pre of document.querySelectorAll(
            "article div.cell_input pre, article div.cell_output pre, article div.highlight pre")) {
        if (!pre.checkVisibility()) continue;
        const font = parseFloat(getComputedStyle(pre).fontSize) || 14;
        const over = (pre.scrollWidth - pre.clientWidth) / (0.6 * font);
        if (over > slack) {
            const line = pre.textContent.split("\\n")
                .reduce((a, b) => a.length >= b.length ? a : b);
            out.push(`${Math.round(over)} characters too wide: ${line.trim().slice(0, 70)}`);
        }
    }
    return out;
}"""

OUTPUT_BLOCKS_JS = """() => [...document.querySelectorAll("article div.cell_output pre")]
    .filter(pre => pre.checkVisibility())
    .map(pre => [pre.textContent, getComputedStyle(pre).whiteSpace])"""
COLUMNS_RE = re.compile(r"\S {2,}\S.* {2,}\S")


def wrapped_tables(page, width):
    """Printed tables (every line of three or more in columns) must not wrap on a phone."""
    out = []
    for text, white_space in page.evaluate(OUTPUT_BLOCKS_JS):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) >= 3 and all(COLUMNS_RE.search(line) for line in lines) \
                and white_space != "pre":
            out.append(f"at {width} px a printed table wraps its lines (white-space: "
                       f"{white_space}): {lines[0][:60]!r}")
    return out


# Text tables (no math, no code) of up to three columns: the intro's chapter map, say. Wider
# data tables (book vs this run) scroll sideways inside their box on a phone, as they should.
PROSE_TABLES_JS = """() => [...document.querySelectorAll("article table")]
    .filter(t => t.rows.length && t.rows[0].cells.length <= 3
                 && !t.querySelector("mjx-container, code, .math"))
    .map(t => [t.offsetWidth - t.parentElement.clientWidth,
               t.rows[0].innerText.replace(/\\s+/g, " ").trim()])"""


def cut_tables(page, width):
    """A text table of up to three columns must fit the phone's width, not hide a column's end."""
    return [f"at {width} px a text table is {extra} px wider than the page and cuts its last "
            f"column: {header[:60]!r}" for extra, header in page.evaluate(PROSE_TABLES_JS)
            if extra > 1]


IMAGES_ALT_JS = """() => [...document.querySelectorAll("article img")]
    .filter(img => img.checkVisibility())
    .map(img => [img.getAttribute("src") || "", (img.getAttribute("alt") || "").trim()])"""

RED_BARS_JS = """() => [...document.querySelectorAll("article .cell_output")]
    .filter(out => out.querySelector(".progress-bar-danger, .bar-danger"))
    .map(out => out.innerText)"""


def check_content(page, problems):
    texts = page.evaluate(PROSE_TEXT_JS)
    paragraphs = page.eval_on_selector_all(
        "article p", "els => els.filter(e => !e.closest('pre')).map(e => e.innerText)")
    tables = list(dict.fromkeys(t.strip()[:60] for t in texts + paragraphs
                                if RAW_TABLE_RE.match(t)))
    if tables:
        problems.append(f"{len(tables)} markdown table(s) left as text, e.g. {tables[0]!r}")
    raw = [m.group(0) for t in texts for m in [RAW_MATH_RE.search(t)] if m]
    if raw:
        problems.append(f"raw math in the text ({len(raw)}x), e.g. {raw[:3]}")
    visible = page.inner_text("body")
    if "NBVAL" in visible:
        problems.append(f"NBVAL markers visible ({visible.count('NBVAL')}x)")
    no_alt = [src.rsplit("/", 1)[-1][:24] for src, alt in page.evaluate(IMAGES_ALT_JS)
              if not alt or FILE_NAME_RE.match(alt)]
    if no_alt:
        problems.append(f"{len(no_alt)} image(s) without real alt text: {no_alt[:4]}")
    wide = page.evaluate(WIDE_BLOCKS_JS, SLACK_CHARS)
    if wide:
        problems.append(f"{len(wide)} code/output block(s) wider than the column at 1280 px, "
                        f"e.g. {wide[:3]}")
    red = [text for text in page.evaluate(RED_BARS_JS) if not DIVERGED_RE.search(text)]
    if red:
        problems.append(f"{len(red)} red progress bar(s) for runs that did not diverge, e.g. "
                        f"{red[0].strip()[:120]!r}")


def axe_violations(page):
    """axe-core's WCAG 2.1 A/AA violations on the page, less THEME_VIOLATIONS, as text."""
    page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map(v => [v.id, v.help,
                v.nodes.map(n => n.target.join(" ")).slice(0, 3), v.nodes.length]);
        }""", AXE_TAGS)
    return [f"axe {rule} ({count}x): {help_text}; e.g. {targets}"
            for rule, help_text, targets, count in found if rule not in THEME_VIOLATIONS]


RESULTS_TABLES_JS = """() => [...document.querySelectorAll("article .ch3-results table")]
    .filter(t => t.checkVisibility())
    .map(t => {
        const box = t.closest(".text_html") || t.parentElement;
        const th = t.querySelector("th"), td = t.querySelector("td");
        return {background: getComputedStyle(box).backgroundColor,
                color: getComputedStyle(td || t).color,
                padding: parseFloat(getComputedStyle(td || th).paddingLeft),
                rule: parseFloat(getComputedStyle(th).borderBottomWidth)};
    })"""


def _luminance(css_colour):
    """Relative luminance (0 black .. 1 white) of an rgb()/rgba() colour; None if transparent."""
    numbers = [float(x) for x in re.findall(r"[\d.]+", css_colour)]
    if len(numbers) == 4 and numbers[3] == 0:
        return None
    r, g, b = (c / 255 for c in numbers[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def check_results_tables(page, scheme, problems):
    """Results tables have padding and a header rule; in dark mode light text, no light slab."""
    for table in page.evaluate(RESULTS_TABLES_JS):
        if table["padding"] < 4 or table["rule"] < 1:
            problems.append(f"a results table is unstyled ({scheme}): cell padding "
                            f"{table['padding']} px, header rule {table['rule']} px")
        slab = _luminance(table["background"])
        if scheme == "dark" and ((slab is not None and slab > 0.2)
                                 or _luminance(table["color"]) < 0.3):
            problems.append(f"a results table is a light slab in dark mode: background "
                            f"{table['background']}, text {table['color']}")
            break


FOCUS_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1)
                 || (s.boxShadow && s.boxShadow !== "none");
    return {ring, math: !!e.closest("mjx-container"),
            what: e.tagName + "." + String(e.className || "").split(" ")[0]};
}"""


def check_keyboard(page, problems):
    """No formula is a Tab stop; each of the first Tab stops shows a focus ring."""
    math_stops = page.evaluate(
        "() => [...document.querySelectorAll('mjx-container')].filter(m => m.tabIndex >= 0).length")
    if math_stops:
        problems.append(f"{math_stops} formulas are Tab stops")
    no_ring = []
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); "
                  "window.scrollTo(0, 0); }")
    for _ in range(TAB_STOPS_CHECKED):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused and not focused["ring"]:
            no_ring.append(focused["what"])
    if no_ring:
        problems.append(f"{len(no_ring)} Tab stop(s) show no focus ring: "
                        f"{sorted(set(no_ring))[:5]}")


@pytest.mark.parametrize("rel", built_pages() or ["<no built pages>"])
def test_page(rel, server, browser):
    if rel == "<no built pages>":
        _skip_or_fail("no HTML pages in _build/html")
    problems = []
    name = rel[: -len(".html")].replace("/", "__")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          color_scheme=scheme)
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            visit = PageVisit(context)
            page = visit.page
            try:
                response = page.goto(server + rel, wait_until="load")
                assert response is not None and response.ok, f"HTTP {response and response.status}"
                visit.wait_until_quiet()
                broken = wait_for_images(page)
                n_math, containers, errors = wait_for_mathjax(page)
                if width == WIDTHS[0]:
                    check_results_tables(page, scheme, problems)
                    problems += [f"{p} ({scheme})" for p in axe_violations(page)]
                if width == WIDTHS[0] and scheme == "light":
                    check_page(page, rel, broken, n_math, containers, errors, problems)
                    check_keyboard(page, problems)
                elif scheme == "light":
                    overflow = page.evaluate(
                        "() => document.scrollingElement.scrollWidth - window.innerWidth")
                    if overflow > 2:
                        problems.append(f"at {width} px the page scrolls sideways by "
                                        f"{overflow} px")
                    problems += wrapped_tables(page, width) + cut_tables(page, width)
                # a full-page shot of a long chapter can take over 30 s (the default) on a busy machine
                page.screenshot(path=str(SHOTS / f"{name}.{width}.{scheme}.png"), full_page=True,
                                timeout=180_000)
            finally:
                context.close()
            problems += [f"{p} (at {width} px, {scheme})" if width != WIDTHS[0] else p
                         for p in visit.problems()]
    problems = list(dict.fromkeys(problems))
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


def toc_numbers():
    """{"chapters/01_cross_entropy": 2, ...}: the sidebar's numbers, from _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf8"))
    numbers = {}
    for part in toc.get("parts", []):
        if part.get("numbered"):
            for n, entry in enumerate(part.get("chapters", []), len(numbers) + 1):
                numbers[entry["file"]] = n
    return numbers


CHAPTER_LINKS_JS = """() => [...document.querySelectorAll("article a[href]")]
  .map(a => ({text: a.textContent.replace(/\\s+/g, " ").trim(),
              path: new URL(a.href).pathname}))"""
FILE_NUMBER_RE = re.compile(r"\bchapters? 0\d\b", re.I)
LINK_NUMBER_RE = re.compile(r"^(?:chapter\s+)?(\d+)\b\.?", re.I)


def numbering_problems(links, text, numbers):
    """Link texts whose chapter number is not the sidebar's, and file-style numbers in text."""
    found = [f"a file-style chapter number in the text: {m.group(0)!r}"
             for m in FILE_NUMBER_RE.finditer(text)]
    for link in links:
        target = next((f for f in numbers if link["path"].endswith(f"/{f}.html")), None)
        match = LINK_NUMBER_RE.match(link["text"])
        if target and match and int(match.group(1)) != numbers[target]:
            found.append(f"link {link['text']!r} numbers {target} {match.group(1)}, the "
                         f"sidebar {numbers[target]}")
    return found


HIDDEN_ANSWERS_JS = """(answer) => {
  const re = new RegExp(answer);
  const shown = el => el.checkVisibility() && el.getBoundingClientRect().height > 0;
  const out = [];
  for (const cell of document.querySelectorAll("article .cell.tag_hide-input .cell_input pre")) {
    if (shown(cell)) out.push("the code of a hide-input cell is visible: " +
                              cell.textContent.slice(0, 60));
  }
  for (const sec of document.querySelectorAll("article section[id^=exercises]")) {
    for (const pre of sec.querySelectorAll(".cell_input pre")) {
      if (shown(pre) && re.test(pre.textContent)) out.push("visible exercise code shows an " +
                                                         "answer: " + pre.textContent.slice(0, 60));
    }
  }
  return out;
}"""
ANIMATIONS_JS = """() => [...document.querySelectorAll("article .ch3-animation")].map(fig => {
  const k = Number(fig.dataset.frame);
  const img = fig.querySelector(".ch3-animation-player img[id^=_anim_img]");
  const anim = img && window["anim" + img.id.slice("_anim_img".length)];
  const still = fig.querySelector(".ch3-animation-still");
  return {frame: k, ready: !!anim, current: anim ? anim.current_frame : null,
          shows_chosen: !!anim && img.src === anim.frames[k].src,
          shows_first: !!anim && k !== 0 && img.src === anim.frames[0].src,
          loaded: !!img && img.complete && img.naturalWidth > 0,
          still_hidden: !!still && still.hidden, player_hidden: img.closest("[hidden]") !== null};
})"""
EXPLORERS_JS = """() => [...document.querySelectorAll("article .ch3-explorer")].map(ex => ({
  live: [...ex.querySelectorAll("input, select, .noUi-target")].filter(
           el => !(el.disabled || el.hasAttribute("disabled"))).length,
  note: !!(ex.previousElementSibling &&
           ex.previousElementSibling.classList.contains("ch3-explorer-note"))}))"""


def check_reader_view(page, problems):
    """Chapter numbers, hidden answers, animations' first view, static explorers."""
    problems += numbering_problems(page.evaluate(CHAPTER_LINKS_JS),
                                   page.inner_text("article"), toc_numbers())
    problems += page.evaluate(HIDDEN_ANSWERS_JS, r"==\s*-?\d")
    for n, anim in enumerate(page.evaluate(ANIMATIONS_JS), 1):
        if not anim["ready"] or anim["player_hidden"] or not anim["still_hidden"]:
            problems.append(f"animation {n}: its player did not replace the still picture")
        elif not anim["shows_chosen"] or anim["current"] != anim["frame"] or anim["shows_first"]:
            problems.append(f"animation {n} does not open on its frame {anim['frame']} "
                            f"(shows frame {anim['current']})")
        elif not anim["loaded"]:
            problems.append(f"animation {n}: its frame did not load")
    for n, explorer in enumerate(page.evaluate(EXPLORERS_JS), 1):
        if explorer["live"] or not explorer["note"]:
            problems.append(f"explorer {n} looks live in static HTML ({explorer['live']} "
                            f"enabled controls, note: {explorer['note']})")


def check_page(page, rel, broken, n_math, containers, errors, problems):
    body = page.inner_text("body")
    for selector in (".output.error", ".output.traceback", ".system-message", ".problematic"):
        if page.locator(selector).count():
            problems.append(f"error element on the page: {selector}")
    for text in ("Traceback (most recent call last)", "Error displaying widget"):
        if text in body:
            problems.append(f"error text on the page: {text!r}")
    if broken:
        problems.append(f"images that did not load: {broken}")
    if n_math and containers < n_math:
        problems.append(f"MathJax typeset {containers} of {n_math} math elements")
    if errors:
        problems.append(f"MathJax errors: {sorted(set(errors))[:6]}")
    check_content(page, problems)
    if rel.startswith("chapters/"):
        check_reader_view(page, problems)
        check_widgets_or_summary(page, problems)
        check_launch_links(page, rel, problems)


def test_numbering_check_finds_a_file_number_and_a_wrong_link():
    """The numbering check itself (no browser): issue 29's 'chapter 01' and '3. Regularisation'
    linking to the page the sidebar calls 4."""
    numbers = {"chapters/01_cross_entropy": 2, "chapters/03_regularization": 4}
    links = [{"text": "3. Regularisation", "path": "/chapters/03_regularization.html"},
             {"text": "4. Regularisation", "path": "/chapters/03_regularization.html"},
             {"text": "the cross-entropy", "path": "/chapters/01_cross_entropy.html"}]
    found = numbering_problems(links, "as chapter 01 shows", numbers)
    assert len(found) == 2 and "'chapter 01'" in found[0] and "sidebar 4" in found[1]
    assert numbering_problems(links[1:], "the book's chapter 1", numbers) == []
