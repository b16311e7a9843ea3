"""The slot-setting ``__init__`` gives what the dataclass ``__init__`` gives: same signature, same object."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

import mmsdr
from mmsdr._multipart import BodyPart
from mmsdr._slots import slot_setting_init


@dataclass(frozen=True, slots=True)
class Plain:
    first: str
    second: int = 2
    third: tuple[str, ...] = dataclasses.field(default=(), kw_only=True)
    checked: list[str] = dataclasses.field(default_factory=list, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.second < 0:
            msg = "second must not be negative"
            raise ValueError(msg)


@slot_setting_init
@dataclass(frozen=True, slots=True)
class Fast:
    first: str
    second: int = 2
    third: tuple[str, ...] = dataclasses.field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        if self.second < 0:
            msg = "second must not be negative"
            raise ValueError(msg)


@slot_setting_init
@dataclass(frozen=True, slots=True)
class FastWithHidden:
    first: str
    cached: bytes | None = dataclasses.field(default=None, init=False, compare=False, repr=False)
    unset: int = dataclasses.field(init=False, compare=False, repr=False)


def test_fields_outside_init_get_their_default_or_stay_unset() -> None:
    assert str(inspect.signature(FastWithHidden)) == "(first)"
    made = FastWithHidden("a")
    assert (made.first, made.cached) == ("a", None)
    with pytest.raises(AttributeError):
        _ = made.unset
    assert str(inspect.signature(BodyPart)) == (
        "(headers, media_type, params, content_id, content_location, disposition, name, filename, "
        "transfer_encoding, raw, children=(), position='1', what='multipart')"
    )
    part = BodyPart((), "", {}, None, None, None, None, None, None, b"x")
    assert (part.data, part.children, part.position) == (b"x", (), "1")  # _decoded starts as None, then is set


def test_the_signature_is_the_dataclass_one() -> None:
    assert str(inspect.signature(Fast)) == "(first, second=2, *, third=())"
    for event_type in (mmsdr.DeliveryReport, mmsdr.ReadReport, mmsdr.InboundMessage, mmsdr.Part, mmsdr.Ack):
        generated = inspect.signature(event_type)
        names = [field.name for field in dataclasses.fields(event_type)]
        assert list(generated.parameters) == names
        assert all(parameter.kind is inspect.Parameter.KEYWORD_ONLY for parameter in generated.parameters.values())


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("a",), {}, ("a", 2, ())),
        (("a", 3), {"third": ("x",)}, ("a", 3, ("x",))),
        ((), {"first": "b", "second": 0}, ("b", 0, ())),
    ],
)
def test_the_fields_are_set_as_given(
    args: tuple[object, ...], kwargs: dict[str, object], expected: tuple[object, ...]
) -> None:
    made = Fast(*args, **kwargs)  # type: ignore[arg-type]
    assert (made.first, made.second, made.third) == expected
    assert made == Fast(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.first = "changed"  # type: ignore[misc]


def test_post_init_still_runs_and_missing_arguments_are_type_errors() -> None:
    with pytest.raises(ValueError, match="second must not be negative"):
        Fast("a", -1)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'first'"):
        Fast()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'message_id'"):
        mmsdr.ReadReport(  # type: ignore[call-arg]
            provider="p",
            format="f",
            timestamp=None,  # type: ignore[arg-type]
            dedupe_key="k",
            raw=mmsdr.RawFields(),
            status=mmsdr.Status.READ,
            provider_status="Read",
            recipient=None,
        )


def test_a_default_factory_is_refused() -> None:
    with pytest.raises(TypeError, match="default_factory is not supported"):
        slot_setting_init(Plain)


def test_a_lazy_raw_view_is_the_eager_one() -> None:
    pairs = [("to", "1"), ("from", "2"), ("to", "3")]
    calls: list[int] = []

    def source() -> list[tuple[str, str]]:
        calls.append(1)
        return pairs

    lazy = mmsdr.RawFields.lazy(source)
    assert calls == []
    eager = mmsdr.RawFields(pairs)
    assert lazy == eager
    assert hash(lazy) == hash(eager)
    assert (dict(lazy), lazy.getall("to"), lazy.multi_items(), len(lazy)) == (
        {"to": "1", "from": "2"},
        ("1", "3"),
        tuple(pairs),
        2,
    )
    assert "from" in lazy
    assert "cc" not in lazy
    assert repr(lazy) == repr(eager)
    assert pickle.loads(pickle.dumps(lazy)) == eager  # noqa: S301 - our own bytes
    assert calls == [1]  # built once, then kept


def test_an_mm7_event_pickles_with_its_raw_view() -> None:
    # The lazy view holds the parsed envelope until it is read: pickling reads it, so the event travels whole.
    path = Path(__file__).parent / "data" / "mm7" / "sinch-delivery-report.http"
    head, _, body = path.read_bytes().partition(b"\r\n\r\n")
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in head.decode().split("\r\n")[1:]]
    event = mmsdr.parse_request(headers, body)
    copy = pickle.loads(pickle.dumps(event))  # noqa: S301 - our own bytes
    assert copy == event
    assert copy.raw["Recipient/Number"] == "16175550123"
    assert copy.raw["http:x-mblox-operator-id"] == "0001890"
