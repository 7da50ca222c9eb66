"""URL converters and form-field parsing for 64-bit ids.

Ids are signed 64-bit (kiln/core/ids.py). Django's `int` converter takes any run of digits, so
/posts/9223372036854775808/like reached the database and raised OverflowError (a 500). The
`id` converter matches at most 19 digits and refuses values past 2^63 - 1, so such a URL is
simply not found; `parse_id` does the same for ids that arrive in forms and query strings.
"""

from django.urls import register_converter

MAX_ID = (1 << 63) - 1


def parse_id(raw) -> int | None:
    """A positive id from untrusted input (str or int), or None when it can't be one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    if not isinstance(raw, str) or not (0 < len(raw) <= 19) or not raw.isascii():
        return None
    if not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def parse_ids(values) -> list[int]:
    """Every value as an id; ValueError if any can't be one (callers say "garbled")."""
    ids = [parse_id(value) for value in values]
    if None in ids:
        raise ValueError("not an id")
    return ids


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValueError(f"not an id: {value}")  # Django: the pattern does not match
        return parsed

    def to_url(self, value) -> str:
        return str(int(value))


class UsernameConverter:
    """A username in a path: no longer than any can be (150), so a 100,000-character one is
    not found rather than handed to the database as a LIKE pattern."""

    regex = "[^/]{1,150}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class SegmentConverter(UsernameConverter):
    """Any other one-segment name in a path (a tag, a slug, a kind), up to 200 characters."""

    regex = "[^/]{1,200}"


def register() -> None:
    register_converter(IdConverter, "id")
    register_converter(UsernameConverter, "username")
    register_converter(SegmentConverter, "segment")
