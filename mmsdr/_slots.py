"""A faster ``__init__`` for mmsdr's frozen, slotted dataclasses (events, the request, the parse options)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ("slot_setting_init",)

_T = TypeVar("_T")


def slot_setting_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots through their own descriptors.

    The same signature and the same result as the ``__init__`` dataclasses writes, which must step around the
    frozen ``__setattr__`` with ``object.__setattr__`` once per field; the slot descriptors' setters do that
    job in about half the time, and every parse builds a request and an event (benchmarks/run.py).
    """
    namespace: dict[str, Any] = {}
    positional: list[str] = []
    keyword_only: list[str] = []
    lines: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = field.name
        parameters = keyword_only if field.kw_only else positional
        if not field.init and field.default_factory is dataclasses.MISSING:
            # Not a parameter: the dataclass __init__ sets its default, or leaves the slot empty without one.
            if field.default is not dataclasses.MISSING:
                namespace[f"_default_{name}"] = field.default
                namespace[f"_set_{name}"] = getattr(cls, name).__set__
                lines.append(f"    _set_{name}(self, _default_{name})\n")
            continue
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = field.default
            parameters.append(f"{name}=_default_{name}")
        elif field.default_factory is not dataclasses.MISSING:  # no event field has one
            msg = f"{cls.__name__}.{name}: a default_factory is not supported here"
            raise TypeError(msg)
        else:
            parameters.append(name)
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
        lines.append(f"    _set_{name}(self, {name})\n")
    if hasattr(cls, "__post_init__"):  # dataclasses calls it last, with no arguments (no InitVar is used here)
        lines.append("    self.__post_init__()\n")
    signature = ", ".join(["self", *positional, *(["*", *keyword_only] if keyword_only else [])])
    source = f"def __init__({signature}):\n{''.join(lines)}"
    exec(source, namespace)  # noqa: S102 - source built above from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
