"""``dir()`` of a public module: what it offers, not the names its own code imports (PEP 562 ``__dir__``)."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ("public_dir",)


def public_dir(namespace: Mapping[str, Any], /) -> Callable[[], list[str]]:
    """The module ``__dir__`` for ``globals()``: its ``__all__``, its loaded submodules and its dunder names."""
    prefix = f"{namespace['__name__']}."

    def __dir__() -> list[str]:  # noqa: N807 - the name PEP 562 looks up
        return sorted(
            name
            for name, value in namespace.items()
            if name in namespace["__all__"]
            or (name.startswith("__") and name.endswith("__"))
            or (isinstance(value, ModuleType) and value.__name__.startswith(prefix))
        )

    return __dir__
