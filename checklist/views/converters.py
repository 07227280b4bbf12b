"""URL converters: `<int:...>` takes only ids SQLite can hold (see `checklist.core.ids`)."""

from __future__ import annotations

from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError

from checklist.core.ids import parse_id


class IdConverter(BaseConverter):
    """`<int:name>` for the whole app: only ASCII digits, only ids SQLite can hold (else 404)."""

    regex = r"[0-9]{1,19}"
    weight = 50  # as werkzeug's IntegerConverter, so rule ordering is unchanged

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))
