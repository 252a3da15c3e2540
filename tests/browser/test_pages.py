"""Open every page of the built book (_build/html) in headless Chromium and check it.

Run by `make test` after the book build (`make test-browser`). The pages are served from
127.0.0.1; the CDN assets they load (MathJax, RequireJS, the Jupyter widget HTML manager, Font
Awesome for matplotlib's animations) are answered from the npm packages in
tests/browser/node_modules (`npm ci` there), because CI has no internet; every other outside request is aborted and reported. For each page:

* no error output, traceback, widget error or docutils error box;
* no JavaScript exception and no console error;
* every image has loaded (natural width > 0);
* math is typeset by MathJax, without MathJax errors;
* chapter pages: the progress-bar widgets render from the stored widget state, or the text
  summary line is there; the Binder and Colab links open this page's notebook;
* a full-page screenshot goes to _build/screenshots/ (chapter pages also in dark mode).

Without a built book the test is skipped, unless CH3_BROWSER_TEST=required (as in `make test`),
which makes a missing build or missing npm assets a failure. CHROMIUM overrides /usr/bin/chromium.
"""

import functools
import json
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REQUIRED = os.environ.get("CH3_BROWSER_TEST", "") == "required"
CDN = "https://cdn.jsdelivr.net/npm/"
FONT_AWESOME_CDN = "https://maxcdn.bootstrapcdn.com/font-awesome/"
# The summary line that training prints at the end of a run (History.summary()), e.g.
# "30 epochs, 9.1 s: best test accuracy 95.42% (epoch 27), final 95.31%": the evidence of a
# training run on a chapter page without widgets.
SUMMARY_RE = re.compile(os.environ.get("CH3_SUMMARY_RE", r"\b\d+ epochs?, \d+(\.\d+)? s\b"))
SKIP_PAGES = {"search.html", "genindex.html", "index.html"}  # index.html: redirect to intro


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
    if not NODE_MODULES.is_dir():
        _skip_or_fail("no npm test assets: run `npm ci` in tests/browser (make browser-assets)")
    if not Path(CHROMIUM).exists():
        _skip_or_fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def local_asset(url):
    """The file in node_modules that stands for a CDN URL, or None.

    jsdelivr's npm URLs (https://cdn.jsdelivr.net/npm/NAME@VERSION/PATH) and the Font Awesome
    stylesheet and fonts that matplotlib's JavaScript animations load from maxcdn.
    """
    url = url.split("?")[0].split("#")[0]
    if url.startswith(CDN):
        rest = url[len(CDN):]
        parts = rest.split("/")
        n = 2 if rest.startswith("@") else 1  # @scope/name@version/path or name@version/path
        spec, path = "/".join(parts[:n]), parts[n:]
        at = spec.rfind("@")
        name, wanted = (spec[:at], spec[at + 1:]) if at > 0 else (spec, "")
    elif url.startswith(FONT_AWESOME_CDN):
        name, wanted, *path = ["font-awesome"] + url[len(FONT_AWESOME_CDN):].split("/")
    else:
        return None
    package = NODE_MODULES / name
    try:
        version = json.loads((package / "package.json").read_text())["version"]
    except (OSError, ValueError):
        return None
    # "mathjax@3" is a range: the installed major version must match; otherwise exact
    if wanted and not (version == wanted or version.startswith(wanted + ".")):
        return None
    target = package.joinpath(*path)
    return target if target.is_file() else None


class PageVisit:
    """Loads one page with CDN requests routed to local files; records what went wrong."""

    def __init__(self, context, base_url):
        self.base_url = base_url
        self.blocked, self.missing, self.console_errors, self.page_errors = [], [], [], []
        self.http_errors = []
        self.page = context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        self.page.on("response", self._response)

    def _route(self, route):
        url = route.request.url
        host = urlparse(url).hostname
        if host == "127.0.0.1" or url.startswith("data:"):
            return route.continue_()
        asset = local_asset(url)
        if asset is not None:
            return route.fulfill(path=str(asset), headers={"Access-Control-Allow-Origin": "*"})
        cdn = url.startswith((CDN, FONT_AWESOME_CDN))
        (self.missing if cdn else self.blocked).append(url)
        return route.abort()

    def _response(self, response):
        if response.status >= 400:
            self.http_errors.append(f"{response.status} {response.url}")

    def _console(self, msg):
        if msg.type == "error":
            self.console_errors.append(msg.text)


def wait_for_images(page):
    return page.evaluate(
        """async () => {
            const imgs = [...document.images];
            imgs.forEach(img => { img.loading = "eager"; });
            await Promise.all(imgs.map(img => img.complete ? null :
                new Promise(r => { img.addEventListener("load", r); img.addEventListener("error", r);
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
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
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
                arg=views, timeout=20000)
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


@pytest.mark.parametrize("rel", built_pages() or ["<no built pages>"])
def test_page(rel, server, browser):
    if rel == "<no built pages>":
        _skip_or_fail("no HTML pages in _build/html")
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme="light")
    visit = PageVisit(context, server)
    page = visit.page
    problems = []
    try:
        response = page.goto(server + rel, wait_until="load")
        assert response is not None and response.ok, f"HTTP {response and response.status}"
        page.wait_for_load_state("networkidle")

        # error outputs, tracebacks, docutils error boxes
        body = page.inner_text("body")
        for selector in (".output.error", ".output.traceback", ".system-message", ".problematic"):
            if page.locator(selector).count():
                problems.append(f"error element on the page: {selector}")
        for text in ("Traceback (most recent call last)", "Error displaying widget"):
            if text in body:
                problems.append(f"error text on the page: {text!r}")

        broken = wait_for_images(page)
        if broken:
            problems.append(f"images that did not load: {broken}")

        n_math, containers, errors = wait_for_mathjax(page)
        if n_math and containers < n_math:
            problems.append(f"MathJax typeset {containers} of {n_math} math elements")
        if errors:
            problems.append(f"MathJax errors: {errors}")

        if rel.startswith("chapters/"):
            check_widgets_or_summary(page, problems)
            check_launch_links(page, rel, problems)

        SHOTS.mkdir(parents=True, exist_ok=True)
        name = rel[: -len(".html")].replace("/", "__")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        if rel.startswith("chapters/"):  # the figures in the theme's dark mode too
            page.evaluate("() => document.documentElement.setAttribute('data-theme', 'dark')")
            page.screenshot(path=str(SHOTS / f"{name}.dark.png"), full_page=True)
    finally:
        context.close()

    problems += [f"JavaScript exception: {e}" for e in visit.page_errors]
    problems += [f"HTTP error: {e}" for e in visit.http_errors]
    problems += [f"console error: {e}" for e in visit.console_errors  # both reported just above
                 if "net::ERR_FAILED" not in e and "Failed to load resource" not in e]
    problems += [f"CDN asset with no local copy in node_modules: {u}" for u in visit.missing]
    problems += [f"request to the internet (blocked): {u}" for u in visit.blocked]
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)
