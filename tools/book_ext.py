"""Local Sphinx extension of the book (loaded by _config.yml, sphinx.local_extensions).

1. Execution statistics for notebooks rendered from their stored outputs.

myst-nb's ``{nb-exec-table}`` lists the notebooks that the build executed (or found in its
jupyter-cache). ``make test`` renders the book with execution off, from the notebooks that nbval
has just run and checked, so myst-nb has no statistics to show. For each notebook without them,
this extension takes the run that produced the committed outputs (``make execute`` records
per-cell timings in ``cell.metadata.execution``) and adds it with the method ``stored``.
When the build executes notebooks itself (``make book``) it changes nothing.

2. Scripts: each inline script once per page. sphinx-thebe (loaded by Jupyter Book) registers its inline
configuration script after the HTML builder has started, and Sphinx 7 then writes it twice into
every page, where the second ``const THEBE_JS_URL`` is a JavaScript SyntaxError. On pages with
widgets: a RequireJS path for the Jupyter widget manager, so that it loads its fonts from its own
folder, and a MathJax 2 ``Hub.Queue`` for it on top of MathJax 3 (see MATHJAX_HUB_SHIM).
"""

import json
from datetime import datetime
from pathlib import Path

import nbformat


def _timestamp(value):
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except (AttributeError, ValueError):
        return None


def stored_exec_data(path):
    """Runtime, end time and success of the run that produced a notebook's stored outputs."""
    nb = nbformat.read(path, as_version=4)
    runtime, end, ran, succeeded = 0.0, None, False, True
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        timing = cell.get("metadata", {}).get("execution", {})
        start = _timestamp(timing.get("iopub.execute_input"))
        stop = _timestamp(timing.get("shell.execute_reply"))
        if start is not None and stop is not None:
            runtime += max(0.0, stop - start)
            end = stop if end is None else max(end, stop)
            ran = True
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            succeeded = False
    if not ran:
        return None
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


def _script_key(script):
    attributes = getattr(script, "attributes", {}) or {}
    return (str(getattr(script, "filename", script) or ""),
            tuple(sorted((str(k), str(v)) for k, v in attributes.items())))


def fix_page_scripts(app, pagename, templatename, context, doctree):
    """Write each script once; point RequireJS at the widget manager's own folder."""
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
        if "/@jupyter-widgets/html-manager@" in url and url.endswith("/dist/embed-amd.js"):
            base = url[: -len("/dist/embed-amd.js")]
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


def setup(app):
    app.connect("doctree-read", add_stored_exec_data)
    app.connect("html-page-context", fix_page_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
