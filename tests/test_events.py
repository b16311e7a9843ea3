"""Part: by value or by reference, and its text whatever charset the sender named."""

from __future__ import annotations

import pytest

from mmsdr import Part


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        (None, "café"),
        ("utf-8", "café"),
        ("no-such-charset", "café"),  # unknown: read as UTF-8
        ("utf\x008", "café"),  # a name the codec registry cannot even look up
        ("latin-1", "cafÃ©"),
    ],
)
def test_the_text_of_a_part_by_value(charset: str | None, text: str) -> None:
    part = Part(content_type="text/plain", data="café".encode(), charset=charset)
    assert (part.text, part.is_text) == (text, True)


def test_a_part_by_reference_has_no_text_and_says_where_it_is() -> None:
    part = Part(content_type="image/jpeg", url="https://media.example.com/1.jpg", size=1024)
    assert (part.data, part.text, part.is_text) == (None, None, False)
    assert repr(part) == (
        "Part(content_type='image/jpeg', content_id=None, filename=None, charset=None, "
        "url='https://media.example.com/1.jpg', size=1024)"
    )


def test_a_part_needs_its_data_or_its_url() -> None:
    with pytest.raises(ValueError, match="^a Part needs its data or its url$"):
        Part(content_type="image/jpeg")


def test_the_repr_of_a_part_by_value_shows_its_size_and_first_bytes() -> None:
    part = Part(content_type="application/octet-stream", data=bytes(range(30)))
    assert repr(part) == (
        "Part(content_type='application/octet-stream', content_id=None, filename=None, charset=None, "
        "data=<30 bytes 000102030405060708090a0b0c0d0e0f10111213...>)"
    )
