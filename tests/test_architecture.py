"""The layout docs/adding-a-provider.md describes: shared modules know no provider; a provider knows no other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mmsdr"
PROVIDERS = sorted(
    path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name not in {"_wire", "testing", "__pycache__"}
)
# Where providers are put together: the registry of formats, the package's names and the testing re-exports.
GATHERERS = {"__init__.py", "_parser.py", "__main__.py"}


def imported_packages(path: Path) -> set[str]:
    """The first name below ``mmsdr`` of every module ``path`` imports (``from .x import``, ``from ..x import``,
    ``import mmsdr.x``), its own package resolved."""
    package = path.relative_to(PACKAGE).parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                target = parts[1:] if parts[0] == "mmsdr" else []
            else:
                target = [*package[: len(package) - node.level + 1], *(node.module or "").split(".")]
                target = [part for part in target if part]
            names = [alias.name for alias in node.names] if not target else []
            found.update(target[:1] or names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "mmsdr" and len(parts) > 1:
                    found.add(parts[1])
    return found


def shared_modules() -> list[Path]:
    paths = [path for path in PACKAGE.glob("*.py") if path.name not in GATHERERS]
    return sorted([*paths, *PACKAGE.glob("_wire/*.py")])


@pytest.mark.parametrize("path", shared_modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_shared_module_imports_no_provider(path: Path) -> None:
    assert imported_packages(path) & set(PROVIDERS) == set()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_provider_imports_no_other_provider(provider: str) -> None:
    for path in sorted((PACKAGE / provider).rglob("*.py")):
        assert imported_packages(path) & (set(PROVIDERS) - {provider}) == set(), path


def test_the_providers_are_the_packages() -> None:
    assert PROVIDERS == ["bandwidth", "mm7", "mxtelecom", "openmarket", "sinch", "telnyx", "twilio", "vonage"]


def test_the_import_reader_sees_each_form() -> None:
    # The reader itself: each import form resolves to the package below mmsdr it names.
    assert imported_packages(PACKAGE / "_parser.py") >= {"mxtelecom", "vonage", "_events"}
    assert "mxtelecom" in imported_packages(PACKAGE / "testing" / "strategies.py")
    assert imported_packages(PACKAGE / "vonage" / "_builders.py") >= {"_testing", "vonage"}
