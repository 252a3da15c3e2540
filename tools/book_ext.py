"""Local Sphinx extension of the book (loaded by _config.yml, sphinx.local_extensions).

1. A self-contained book. MathJax, RequireJS, the Jupyter widget HTML manager and the Font
   Awesome stylesheet of matplotlib's JavaScript animations are copied from the npm packages
   pinned in tests/browser/package-lock.json (`npm ci` there: `make book` does it) into
   `_static/vendor/`, with their licences and a list of versions, and every page loads them
   from there, so the book works offline and behind networks that block CDNs. The URL of the
   Font Awesome stylesheet is written by matplotlib into the notebooks' outputs: it is
   rewritten in each page.

2. Runtimes from the notebooks' recorded timings (`make execute` records them per cell):
   the ``{nb-runtime}`` role (``{nb-runtime}`chapters/01_cross_entropy.ipynb` `` gives
   "about 2 min"; ``{nb-runtime}`total` `` the sum over the book's notebooks), and for
   myst-nb's ``{nb-exec-table}`` the run that produced the stored outputs, method ``stored``
   (the book renders notebooks without executing them, so myst-nb has no statistics).

3. Pages: each script once (sphinx-thebe registers its inline configuration after the HTML
   builder has started and Sphinx 7 writes it twice, a JavaScript SyntaxError); on pages with
   widgets, a RequireJS path for the widget manager (so that it finds its fonts) and a MathJax
   2 ``Hub.Queue`` on top of MathJax 3 (see MATHJAX_HUB_SHIM); after each stored widget its
   plain text (a progress bar's final state) which the CSS shows only when no widget rendered;
   the accessibility fixes of ACCESSIBILITY_FIXES (controls rendered later by JavaScript get
   theirs from _static/ch3-a11y.js).
"""

import html
import json
import re
import shutil
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx.errors import ExtensionError

from execute_notebooks import recorded_runtime, whole_minutes, widget_text

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "tests" / "browser" / "node_modules"
# npm package -> (folder under _static/vendor, what to copy: paths inside the package)
VENDOR = {
    "mathjax": ("mathjax", ["es5", "LICENSE", "package.json"]),
    "requirejs": ("requirejs", ["require.js", "README.md", "package.json"]),
    "@jupyter-widgets/html-manager": ("html-manager", ["dist", "package.json"]),
    "font-awesome": ("font-awesome", ["css", "fonts", "README.md", "package.json"]),
}
SKIP = shutil.ignore_patterns("*.map", "embed.js", "node-main.js")
FONT_AWESOME_URL = re.compile(
    r"https?://[^\"'\s]*/font-awesome/4\.\d+\.\d+/css/font-awesome(?:\.min)?\.css")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
VIEW_SCRIPT = re.compile(
    r'(<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>)', re.S)


## 1. vendored assets ---------------------------------------------------------------------------

def check_vendor(app):
    missing = [name for name in VENDOR if not (NODE_MODULES / name / "package.json").is_file()]
    if missing:
        raise ExtensionError(
            f"the book's JavaScript packages are not installed ({', '.join(missing)}): run "
            "`make browser-assets` (or `cd tests/browser && npm ci`; needs npm: "
            "`sudo apt-get install -y npm`)")


def copy_vendor(app, exception):
    """Copy the served npm packages into _build/html/_static/vendor/.

    Their licences are listed in the committed _static/vendor/README.txt, which Sphinx copies
    beside them; the build stops if that list does not name a package's version and licence.
    """
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "vendor"
    notice = " ".join((ROOT / "_static" / "vendor" / "README.txt").read_text("utf8").split())
    for name, (folder, parts) in VENDOR.items():
        package = NODE_MODULES / name
        for part in parts:
            src, dst = package / part, target / folder / part
            if src.is_dir():
                shutil.copytree(src, dst, ignore=SKIP, dirs_exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
        meta = json.loads((package / "package.json").read_text(encoding="utf8"))
        if name == "@jupyter-widgets/html-manager":
            # The manager's bundle asks for its fonts relative to where it thinks it was
            # loaded from, which some page loads resolve to _static/vendor/ (a 404 in the
            # browser test, one visit in thirty): the fonts are served there too.
            for font in (package / "dist").glob("*.*"):
                if font.suffix in {".woff2", ".woff", ".ttf", ".eot", ".svg"}:
                    shutil.copy2(font, target / font.name)
        entry = f"npm {name} {meta['version']}, licence {meta.get('license')}"
        if entry not in notice:
            raise ExtensionError(f"_static/vendor/README.txt does not list '{entry}': add it "
                                 "with the package's licence before serving the package")


## 2. runtimes ----------------------------------------------------------------------------------

def minutes(seconds):
    """Seconds to the nearest minute (execute_notebooks.whole_minutes), for the intro's table.

    A no-break space keeps "2 min" together: the intro's narrow Runtime column may break
    after "about" (on a phone) but never between the number and its unit.
    """
    n = whole_minutes(seconds)
    return "under 1\u00a0min" if n == 0 else f"about {n}\u00a0min"


def nb_runtime_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{nb-runtime}`path.ipynb` `` or ``{nb-runtime}`total` ``: the recorded runtime."""
    env = inliner.document.settings.env
    src = Path(env.srcdir)
    paths = (sorted(src.glob("chapters/*.ipynb")) if text.strip() == "total"
             else [src / text.strip()])
    total = 0.0
    for path in paths:
        if not path.is_file():
            msg = inliner.reporter.error(f"nb-runtime: no notebook {path}", line=lineno)
            return [inliner.problematic(rawtext, rawtext, msg)], [msg]
        env.note_dependency(str(path))
        seconds = recorded_runtime(nbformat.read(path, as_version=4))
        if seconds is None:
            msg = inliner.reporter.error(
                f"nb-runtime: {path.name} has no recorded cell timings: run `make execute`",
                line=lineno)
            return [inliner.problematic(rawtext, rawtext, msg)], [msg]
        total += seconds
    return [nodes.Text(minutes(total))], []


def stored_exec_data(path):
    """Runtime, end time and success of the run that produced a notebook's stored outputs."""
    nb = nbformat.read(path, as_version=4)
    runtime = recorded_runtime(nb)
    if runtime is None:
        return None
    ends = [cell.metadata["execution"]["shell.execute_reply"] for cell in nb.cells
            if "shell.execute_reply" in cell.get("metadata", {}).get("execution", {})]
    succeeded = not any(out.get("output_type") == "error"
                        for cell in nb.cells for out in cell.get("outputs", []))
    from datetime import datetime
    end = datetime.fromisoformat(max(ends).replace("Z", "+00:00")).timestamp()
    return {
        "mtime": end,
        "runtime": runtime,
        "method": "stored",
        "succeeded": succeeded,
        "error": None if succeeded else "stored outputs contain an error",
        "traceback": None,
    }


def add_stored_exec_data(app, doctree):
    from myst_nb.sphinx_ import NbMetadataCollector

    env = app.env
    docname = env.docname
    path = Path(env.doc2path(docname))
    if path.suffix != ".ipynb" or NbMetadataCollector.get_exec_data(env, docname):
        return
    data = stored_exec_data(path)
    if data is not None:
        NbMetadataCollector.set_exec_data(env, docname, data)


## 3. pages -------------------------------------------------------------------------------------

def _script_key(script):
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""),
            tuple(sorted((str(k), str(v)) for k, v in attributes.items())))


def _widget_fallbacks(app, pagename, body):
    """After each stored widget view, its plain text (shown by CSS only if no widget rendered)."""
    path = Path(app.env.doc2path(pagename))
    if path.suffix != ".ipynb" or WIDGET_VIEW not in body:
        return body
    nb = nbformat.read(path, as_version=4)
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})

    def add_text(match):
        try:
            model_id = json.loads(html.unescape(match.group(2)))["model_id"]
        except (ValueError, KeyError):
            return match.group(1)
        text = widget_text(state, model_id)
        if not text:
            return match.group(1)
        return f'{match.group(1)}<pre class="ch3-widget-fallback">{html.escape(text)}</pre>'

    return VIEW_SCRIPT.sub(add_text, body)


# What axe-core (WCAG 2.1 A/AA, tests/browser) finds in the HTML that myst-nb, docutils and
# matplotlib write for the book's own content, each fixed where the page is written:
ACCESSIBILITY_FIXES = [
    # myst-nb's "Show code cell source" toggle: its aria-label hid the visible words from
    # speech input (label-content-name-mismatch); the visible text names it
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    # docutils' bibliography: doc-biblioentry is deprecated in ARIA 1.3 and its list then has
    # no allowed children (aria-deprecated-role, aria-required-children)
    (re.compile(r'role="doc-biblioentry"'), 'role="listitem"'),
    # matplotlib's animation slider has no label
    (re.compile(r'(<input id="_anim_slider\w+" type="range")'), r'\1 aria-label="Animation frame"'),
]


def accessible(body):
    """The page's body with the ACCESSIBILITY_FIXES applied."""
    for pattern, replacement in ACCESSIBILITY_FIXES:
        body = pattern.sub(replacement, body)
    return body


EXEC_TABLE_DOC = re.compile(r'<span class="doc">(chapters/[\w.-]+)</span>')
EXEC_TABLE_STATUS = {"\u2705": "succeeded", "\u274c": "failed"}  # myst-nb's emoji, as words


def numbered_title(app, docname):
    """A page's title with its number in the sidebar (from _toc.yml): "2. The cross-entropy..."."""
    number = app.env.toc_secnumbers.get(docname, {}).get("")
    title = app.env.titles[docname].astext() if docname in app.env.titles else docname
    return f"{'.'.join(map(str, number))}. {title}" if number else title


def readable_exec_table(app, body):
    """The execution statistics name chapters as the sidebar does, and say "succeeded" in words.

    myst-nb's table lists file names and an emoji that needs an emoji font.
    """
    body = EXEC_TABLE_DOC.sub(
        lambda m: f'<span class="doc">{html.escape(numbered_title(app, m.group(1)))}</span>', body)
    for emoji, word in EXEC_TABLE_STATUS.items():
        body = body.replace(f"<p>{emoji}</p>", f"<p>{word}</p>")
    return body


def fix_page(app, pagename, templatename, context, doctree):
    pathto = context.get("pathto")
    if "body" in context and pathto is not None:
        local_fa = pathto("_static/vendor/font-awesome/css/font-awesome.min.css", 1)
        context["body"] = accessible(_widget_fallbacks(
            app, pagename, FONT_AWESOME_URL.sub(local_fa, context["body"])))
        if 'class="doc">chapters/' in context["body"]:
            context["body"] = readable_exec_table(app, context["body"])
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique
    # The widget manager (embed-amd.js) finds its fonts and CSS relative to the RequireJS module
    # "@jupyter-widgets/html-manager/dist/libembed-amd"; without a path for it RequireJS places
    # that module next to the page and the fonts 404. A global `require` object defined before
    # require.js loads is its configuration.
    for script in unique:
        url = str(getattr(script, "filename", "") or "")
        if url.endswith("html-manager/dist/embed-amd.js"):
            base = pathto("_static/vendor/html-manager", 1)
            config = json.dumps({"paths": {"@jupyter-widgets/html-manager": base}})
            priority = min(getattr(s, "priority", 500) for s in unique) - 1
            app.add_js_file(None, body=MATHJAX_HUB_SHIM, priority=priority)
            app.add_js_file(None, body=f"var require = {config};", priority=priority)
            break


# The widget manager typesets widget labels with MathJax 2's `MathJax.Hub.Queue` whenever
# `window.MathJax` exists; the book uses MathJax 3, which has no `Hub`, so every widget threw a
# TypeError. This gives each object assigned to `window.MathJax` (the configuration first, then
# MathJax 3 itself) a `Hub.Queue` that typesets the element with MathJax 3.
MATHJAX_HUB_SHIM = """(function () {
  var hub = {Queue: function (job) {
    var mj = window.MathJax, el = job && job[2];
    if (!el || !mj || !mj.typesetPromise) { return; }
    ((mj.startup && mj.startup.promise) || Promise.resolve())
      .then(function () { return mj.typesetPromise([el]); })
      .catch(function (err) { console.warn("MathJax typeset of a widget failed", err); });
  }};
  var current = window.MathJax;
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) {
      try { Object.defineProperty(value, "Hub", {value: hub, configurable: true}); } catch (e) {}
    }
    return value;
  }
  Object.defineProperty(window, "MathJax", {
    configurable: true, enumerable: true,
    get: function () { return current; },
    set: function (value) { current = withHub(value); }
  });
  withHub(current);
})();"""


## 4. the bibliography's labels ---------------------------------------------------------------

def author_year_label(entry):
    """"Nielsen, 2015", "Glorot and Bengio, 2010", "LeCun et al., 1998": as the text cites."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(person.last_names) for person in persons]
    if len(last) > 2:
        names = f"{last[0]} et al."
    else:
        names = " and ".join(last) or entry.fields.get("title", entry.key)
    return f"{names}, {entry.fields.get('year', 'n.d.')}"


def register_bibliography_style():
    """The bibliography style ``ch3_author_year``: pybtex's plain style with author-year labels.

    sphinxcontrib-bibtex cites in the text as "[Nielsen, 2015]" (bibtex_reference_style
    author_year) but labels the bibliography with the style's own labels ("[Nie15]");
    pybtex has no author-year label style, so this one gives the same words in both places.
    """
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as PlainStyle
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            labels = [author_year_label(entry) for entry in sorted_entries]
            for i, label in enumerate(labels):  # two works of one author and year: 2015a, b
                same = [j for j, other in enumerate(labels) if other == label]
                yield label + ("abcdefghij"[same.index(i)] if len(same) > 1 else "")

    class AuthorYearStyle(PlainStyle):
        default_label_style = "ch3_author_year"

    register_plugin("pybtex.style.labels", "ch3_author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "ch3_author_year", AuthorYearStyle)


def setup(app):
    register_bibliography_style()
    app.add_role("nb-runtime", nb_runtime_role)
    app.connect("builder-inited", check_vendor)
    app.connect("build-finished", copy_vendor)
    app.connect("doctree-read", add_stored_exec_data)
    app.connect("html-page-context", fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "2.0"}
