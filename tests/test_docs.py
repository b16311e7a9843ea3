"""The documentation states what the code does: every limit and default, every format, the README's files."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import sys
import types
from pathlib import Path

import pytest

import mmsdr

ROOT = Path(__file__).parent.parent


def test_every_limit_and_its_default_is_documented() -> None:
    page = (ROOT / "docs" / "errors-and-limits.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(mmsdr.Limits):
        assert f"| `{field.name}` | {field.default} " in page, field.name


def test_every_format_is_documented() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for name, fmt in mmsdr.FORMATS.items():
        assert f"`{name}`" in index, name
        assert (ROOT / "docs" / f"{fmt.provider}.md").exists(), fmt.provider


def test_readme_commands_name_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.*?)\n```", readme, flags=re.DOTALL)
    assert len(commands) == 2
    assert "mmsdr parse examples/requests/mxtelecom-sms-report.http" in commands[0]
    assert (ROOT / "examples" / "requests" / "mxtelecom-sms-report.http").exists()
    assert commands[1].endswith("python -m pytest -q")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in ci


def test_readme_status_table_matches_the_enum() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| (yes|no) \|", readme, flags=re.MULTILINE)
    assert [(mmsdr.Status(value), final == "yes") for value, final in rows] == [
        (status, status.is_final) for status in mmsdr.Status
    ]


def test_changelog_has_an_unreleased_section_on_top() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[?Unreleased\]?", changelog, flags=re.MULTILINE)
    first_release_heading = re.search(r"^## ", changelog, flags=re.MULTILINE)
    assert first_release_heading is not None
    assert changelog[first_release_heading.start() :].startswith(("## Unreleased", "## [Unreleased]"))


def test_every_docs_page_is_in_the_site_nav() -> None:
    # mkdocs.yml's nav lists pages as `- Title: path.md`; read without a YAML parser (the test extra has none).
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:\n") :]
    listed = re.findall(r"^\s+- [^:\n]+: (\S+\.md)$", nav, flags=re.MULTILINE)
    assert len(listed) == len(set(listed)), "a page is listed twice in the mkdocs nav"
    docs = ROOT / "docs"
    pages = {path.relative_to(docs).as_posix() for path in docs.rglob("*.md")}
    assert sorted(pages - set(listed)) == [], "docs pages missing from the mkdocs.yml nav"
    assert sorted(set(listed) - pages) == [], "mkdocs.yml nav entries without a page"
    public_modules = [name for name in mmsdr.__all__ if isinstance(getattr(mmsdr, name), type(mmsdr))]
    for module in ["mmsdr", *public_modules, "dedupe", "testing", "wsgi", "asgi"]:
        assert f"reference/{module}.md" in listed, module


def test_security_page_has_every_catalogue_row() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("catalogue", ROOT / "tests" / "security" / "test_catalogue.py")
    assert spec is not None
    assert spec.loader is not None
    catalogue = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalogue)
    rows: tuple[str, ...] = catalogue.ROW_IDS
    assert len(rows) == 61
    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for row in rows:
        assert f"\n| {row} |" in page, row


# Sphinx roles (:class:`Foo`) are literal text to mkdocstrings: cross-references are written
# [`Foo`][mmsdr.Foo] (autorefs), or as a plain ``Foo`` for what the API reference does not show.
_SPHINX_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|const|mod|exc|obj):`")
_AUTOREF = re.compile(r"\]\[(mmsdr(?:\.\w+)*)\]")


def _sources() -> list[Path]:
    return sorted([*(ROOT / "mmsdr").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])


def test_docstrings_use_no_sphinx_roles() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if _SPHINX_ROLE.search(line)
    ]
    assert found == [], "Sphinx roles render as literal text; use [`Name`][mmsdr.Name] or ``Name``"


def test_docstring_cross_references_name_public_objects() -> None:
    # mkdocs build --strict checks the references it renders; this also covers docstrings it does not render.
    import importlib

    identifiers = {ident for path in _sources() for ident in _AUTOREF.findall(path.read_text(encoding="utf-8"))}
    assert identifiers
    for identifier in sorted(identifiers):
        obj: object = mmsdr
        path = "mmsdr"
        for name in identifier.split(".")[1:]:
            assert not name.startswith("_"), identifier
            if isinstance(obj, type(mmsdr)):
                try:
                    obj = importlib.import_module(f"{path}.{name}")
                except ModuleNotFoundError:
                    assert name in obj.__all__, identifier
                    obj = getattr(obj, name)
            else:
                assert hasattr(obj, name), identifier
                obj = getattr(obj, name)
            path = f"{path}.{name}"


def test_adding_a_provider_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The guide's format is complete code: its blocks run in order, as one module, and its own asserts hold.
    page = (ROOT / "docs" / "adding-a-provider.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)\n```", page, flags=re.DOTALL)
    assert len(blocks) == 2
    module = types.ModuleType("adding_a_provider")
    monkeypatch.setitem(sys.modules, module.__name__, module)  # dataclasses look their module up
    for block in blocks:
        exec(compile(block, "docs/adding-a-provider.md", "exec"), module.__dict__)  # noqa: S102 - our documentation
    callback = module.__dict__["callback"]
    assert isinstance(callback, mmsdr.Callback)
    assert len({event.dedupe_key for event in callback.events}) == 2  # one key per event
    second = callback.events[1]
    assert isinstance(second, mmsdr.DeliveryReport)
    assert (second.provider_code, second.recipient) == ("4720", None)


def test_the_status_page_lists_every_status() -> None:
    page = (ROOT / "docs" / "status.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| (yes|no) \|$", page, flags=re.MULTILINE)
    assert [(mmsdr.Status(value), final == "yes") for value, final in rows] == [
        (status, status.is_final) for status in mmsdr.Status
    ]


def _docstrings() -> dict[str, str]:
    """Every docstring in the package: modules, classes, functions, methods and properties."""
    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(mmsdr.__path__, "mmsdr."):
        if info.name == "mmsdr.__main__":
            continue
        module = importlib.import_module(info.name)
        found[info.name] = module.__doc__ or ""
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != info.name:
                continue
            found[f"{info.name}.{name}"] = inspect.getdoc(value) or ""
            for member, attribute in vars(value).items() if isinstance(value, type) else ():
                found[f"{info.name}.{name}.{member}"] = inspect.getdoc(attribute) or ""
    return found


def test_docstrings_use_the_style_the_api_reference_renders() -> None:
    """mkdocstrings reads Google-style sections: a reST directive (``.. attribute::``) would show as text."""
    docstrings = _docstrings()
    assert len(docstrings) > 300
    assert {
        name
        for name, text in docstrings.items()
        if re.search(r"^\s*\.\. \w+::|:(class|func|meth):`", text, re.MULTILINE)
    } == set()


def _code_lines() -> list[tuple[str, int, str]]:
    """Every line inside a fenced code block of README.md and docs/, as (file, line number, text)."""
    lines: list[tuple[str, int, str]] = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        inside = False
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                inside = not inside
            elif inside:
                lines.append((path.relative_to(ROOT).as_posix(), number, line))
    return lines


def test_code_blocks_fit_the_page() -> None:
    """Code is at most 120 columns, and the site's page is wide enough to show 120 columns of code uncut."""
    lines = _code_lines()
    assert len(lines) > 500
    assert [(path, number) for path, number, line in lines if len(line) > 120] == []
    css = (ROOT / "docs" / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "stylesheets/extra.css" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    match = re.search(r"\.md-grid \{\s*max-width: ([\d.]+)rem;", css)
    assert match is not None
    # Material's measures, in rem: two sidebars of 12.1, margins of 1.2, code at 0.8 x 0.85 with a padding of
    # 2 x 1.1765em; a column of Roboto Mono is 0.6 of the font size.
    code_width = float(match.group(1)) - 2 * 12.1 - 2 * 1.2 - 2 * 1.1765 * 0.8 * 0.85
    assert code_width / (0.8 * 0.85 * 0.6) >= 120
