"""Every public class resolves its annotations at run time: ``typing.get_type_hints`` and ``dataclasses.fields``
work on it (what event_from_dict, documentation tools and users' own serialisers rely on)."""

from __future__ import annotations

import dataclasses
import types
import typing

import pytest

import mmsdr
import mmsdr.asgi
import mmsdr.auth
import mmsdr.dedupe
import mmsdr.mm7
import mmsdr.mxtelecom
import mmsdr.openmarket
import mmsdr.sinch
import mmsdr.testing
import mmsdr.testing.strategies
import mmsdr.wsgi

PUBLIC_MODULES = (
    mmsdr,
    mmsdr.mxtelecom,
    mmsdr.mm7,
    mmsdr.openmarket,
    mmsdr.sinch,
    mmsdr.twilio,
    mmsdr.bandwidth,
    mmsdr.telnyx,
    mmsdr.vonage,
    mmsdr.testing,
    mmsdr.dedupe,
    mmsdr.auth,
)


def public_classes() -> list[type]:
    """Every class named in the ``__all__`` of a public module, once, in the order listed."""
    found: dict[type, None] = {}
    for module in PUBLIC_MODULES:
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                found.setdefault(value)
    return list(found)


CLASSES = public_classes()
DATACLASSES = [kind for kind in CLASSES if dataclasses.is_dataclass(kind)]


def test_the_classes_are_found() -> None:
    names = {kind.__name__ for kind in DATACLASSES}
    assert {
        "Callback",
        "Event",
        "Report",
        "DeliveryReport",
        "ReadReport",
        "InboundMessage",
        "Unsubscribe",
        "SubscriptionRenewal",
        "Part",
        "Ack",
        "Details",
        "Format",
        "SmsReportDetails",
        "MmsReportDetails",
        "SmsInboundDetails",
        "MmsInboundDetails",
        "Envelope",
        "DeliverDetails",
        "RequestDetails",
        "InboundDetails",
        "StatusDetails",
        "TestRequest",
    } <= names
    # Two providers name their report details ReportDetails: both are found.
    assert mmsdr.mm7.ReportDetails in DATACLASSES
    assert mmsdr.openmarket.ReportDetails in DATACLASSES
    assert mmsdr.twilio.InboundDetails in DATACLASSES  # as is openmarket's InboundDetails
    # Every details class of every format is public.
    for fmt in mmsdr.FORMATS.values():
        assert set(fmt.details_types) <= set(DATACLASSES), fmt.name
    assert set(CLASSES) - set(DATACLASSES)  # and classes that are not dataclasses (Parser, RawFields, errors)


@pytest.mark.parametrize("kind", DATACLASSES, ids=lambda kind: f"{kind.__module__}.{kind.__qualname__}")
def test_every_public_dataclass_has_run_time_annotations(kind: type) -> None:
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)
    assert fields or kind is mmsdr.Details  # the details base class alone has no fields
    for field in fields:
        assert field.name in hints, field.name
        hint = hints[field.name]
        # Resolved objects, not strings left over from ``from __future__ import annotations``.
        assert not isinstance(hint, str), (field.name, hint)
        for arg in typing.get_args(hint):
            assert not isinstance(arg, (str, typing.ForwardRef)), (field.name, hint)


@pytest.mark.parametrize("kind", CLASSES, ids=lambda kind: f"{kind.__module__}.{kind.__qualname__}")
def test_every_public_class_has_run_time_annotations(kind: type) -> None:
    hints = typing.get_type_hints(kind)
    assert all(not isinstance(hint, str) for hint in hints.values())


DIR_MODULES = (
    *PUBLIC_MODULES,
    mmsdr.wsgi,
    mmsdr.asgi,
    mmsdr.mm7.details,
    mmsdr.mxtelecom.details,
    mmsdr.mxtelecom.mmszip,
    mmsdr.mxtelecom.reason,
    mmsdr.openmarket.details,
    mmsdr.testing.strategies,
)


@pytest.mark.parametrize("module", DIR_MODULES, ids=lambda module: module.__name__)
def test_dir_shows_what_the_module_offers(module: types.ModuleType) -> None:
    """``dir()`` (and so tab completion) lists ``__all__`` and submodules, not what the module's code imports."""
    shown = {name for name in dir(module) if not name.startswith("__")}
    submodules = {
        name
        for name, value in vars(module).items()
        if isinstance(value, types.ModuleType)
        and value.__name__.startswith(f"{module.__name__}.")
        and not name.startswith("__")
    }
    assert shown == {name for name in module.__all__ if not name.startswith("__")} | submodules
    assert not shown & {"annotations", "TYPE_CHECKING", "etree", "hashlib", "dataclass"}
