"""The package's layout holds: import-linter's contracts (pyproject.toml), no import cycle even
through imports inside functions, every deferred import with its reason, a light
``import ch3_code``, and the old module paths forwarding to the very same modules.

As in test_lint.py, each checker is first shown a broken package, so that a checker that
checks nothing fails here instead of passing silently.
"""
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ch3_code"
BIN = Path(sys.executable).parent


def run(args, cwd=ROOT, **env):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, **env} if env else None)


def cycles(package, path=None):
    """The import cycles of ``package``, each a sorted list of modules (strongly connected
    components of grimp's graph, which holds every import statement, in functions too)."""
    if path is not None:
        sys.path.insert(0, str(path))
    try:
        graph = grimp.build_graph(package, cache_dir=None)
    finally:
        if path is not None:
            sys.path.remove(str(path))
    found, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(module):  # Tarjan's algorithm
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1 or module in graph.find_modules_directly_imported_by(module):
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def write_package(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_the_cycle_finder_sees_a_cycle_through_an_import_inside_a_function(tmp_path):
    write_package(tmp_path, {
        "cyc/__init__.py": "",
        "cyc/a.py": "from . import b\n",
        "cyc/b.py": "def f():\n    from . import a\n    return a\n",
        "cyc/c.py": "from . import a\n",
    })
    assert cycles("cyc", tmp_path) == [["cyc.a", "cyc.b"]]


def test_no_import_cycle_in_the_package_even_inside_functions():
    found = cycles("ch3_code")
    assert not found, "import cycles (counting imports inside functions): " + "; ".join(
        " <-> ".join(c) for c in found)


def test_lint_imports_flags_a_broken_contract(tmp_path):
    write_package(tmp_path, {
        "layered/__init__.py": "",
        "layered/data.py": "from .network import NN\n",
        "layered/network.py": "NN = object\n",
        "pyproject.toml": """\
            [tool.importlinter]
            root_packages = ["layered"]

            [[tool.importlinter.contracts]]
            name = "data imports nothing of the network"
            type = "forbidden"
            source_modules = ["layered.data"]
            forbidden_modules = ["layered.network"]
            """,
    })
    out = run([str(BIN / "lint-imports"), "--no-cache", "--no-logo"], cwd=tmp_path,
              PYTHONPATH=str(tmp_path))
    assert out.returncode == 1 and "BROKEN" in out.stdout, out.stdout + out.stderr


def test_the_import_contracts_are_kept():
    out = run([str(BIN / "lint-imports"), "--no-cache", "--no-logo"])
    assert out.returncode == 0, "import-linter (contracts in pyproject.toml):\n" + out.stdout \
        + out.stderr
    assert "0 broken" in out.stdout and " 6 kept" in out.stdout, out.stdout


def deferred_imports_without_a_reason(path):
    """'file:line' of each import inside a function with no comment on its line or the line
    above (where the ``try:`` of an optional import says why)."""
    lines = path.read_text(encoding="utf8").splitlines()
    bad = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                here, above = lines[inner.lineno - 1], lines[inner.lineno - 2]
                grouped = above.strip().startswith(("import ", "from "))  # one reason for both
                if "#" not in here and "#" not in above and not grouped:
                    bad.append(f"{path.relative_to(ROOT)}:{inner.lineno}: {here.strip()}")
    return bad


def test_the_reason_check_flags_a_silent_import_in_a_function(tmp_path):
    path = ROOT / "tests" / "_silent_import_example.py"
    try:
        path.write_text("def f():\n    x = 1\n    import json\n    return json, x\n")
        assert deferred_imports_without_a_reason(path) == [
            "tests/_silent_import_example.py:3: import json"]
    finally:
        path.unlink()


def test_every_import_inside_a_function_says_why():
    bad = [b for path in sorted(PACKAGE.rglob("*.py"))
           for b in deferred_imports_without_a_reason(path)]
    assert not bad, "imports inside functions need a one-line reason (or move them to the " \
        "top of the module):\n" + "\n".join(bad)


HEAVY = ("matplotlib", "IPython", "ipywidgets", "requests", "numba")


def test_import_ch3_code_loads_no_heavy_library():
    code = (f"import sys, ch3_code; print(sorted({{m.split('.')[0] for m in sys.modules}}"
            f" & set({HEAVY!r})))")
    out = run([sys.executable, "-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"import ch3_code loaded {out.stdout.strip()}"


def test_old_module_paths_give_the_very_same_modules():
    import importlib

    import ch3_code
    from ch3_code import _moved
    from ch3_code.internals import compiled_epoch
    import ch3_code.fused
    assert ch3_code.fused is compiled_epoch
    assert ch3_code.fused.FusedEpoch is compiled_epoch.FusedEpoch
    from ch3_code import data, options, reference  # through the package's __getattr__
    assert (data, options, reference) == (ch3_code.mnist.load, ch3_code.internals.checks,
                                          ch3_code.book_backprop)
    for old, new in _moved.MOVED.items():
        assert importlib.import_module(f"ch3_code.{old}") is importlib.import_module(new), old
        assert getattr(ch3_code, old) is importlib.import_module(new), old
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("ch3_code.no_such_module")
    with pytest.raises(AttributeError):
        ch3_code.no_such_module


def test_old_module_paths_import_in_a_fresh_process_without_a_second_copy():
    code = ("import sys\n"
            "import ch3_code.fused, ch3_code.persist, ch3_code.reproduce\n"
            "from ch3_code import tables, scorecard, spread_file\n"
            "from ch3_code.internals.compiled_epoch import FusedEpoch\n"
            "from ch3_code.book.spread_file import SpreadFileError\n"
            "assert ch3_code.fused.FusedEpoch is FusedEpoch\n"
            "assert spread_file.SpreadFileError is SpreadFileError\n"
            "modules = {id(m): m for m in list(sys.modules.values())}.values()\n"
            "files = [m.__file__ for m in modules  # one module object per file\n"
            "         if (getattr(m, '__file__', None) or '').find('ch3_code') >= 0]\n"
            "assert len(files) == len(set(files)), sorted(files)\n"
            "print('ok')\n")
    out = run([sys.executable, "-c", code])
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr


@pytest.mark.parametrize("old,new", [("ch3_code.reproduce", "ch3_code.book.reproduce"),
                                     ("ch3_code.scorecard", "ch3_code.book.scorecard")])
def test_python_m_runs_the_old_and_the_new_path(old, new):
    for name in (old, new):
        out = run([sys.executable, "-W", "error::RuntimeWarning", "-m", name, "--help"])
        assert out.returncode == 0, f"python -m {name} --help:\n{out.stdout}{out.stderr}"
        assert f"usage: python -m {old}" in out.stdout


def test_the_internals_package_imports_its_modules_on_first_use():
    code = ("import sys, ch3_code.internals as i\n"
            "assert 'ch3_code.internals.compiled_epoch' not in sys.modules\n"
            "assert i.FusedEpoch is sys.modules['ch3_code.internals.compiled_epoch'].FusedEpoch\n"
            "print('ok')\n")
    out = run([sys.executable, "-c", code])
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr


def test_every_module_is_short_enough_to_read_at_once():
    """The developers' rule: modules of at most 250 lines, so that a learner can read one
    beside the book (a longer one is split by what it holds, as plots.py and results.py were)."""
    long = {str(p.relative_to(ROOT)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf8").splitlines())) > 250}
    assert not long, f"modules over 250 lines (split them by what they hold): {long}"
