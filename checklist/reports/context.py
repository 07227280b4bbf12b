"""What every PDF report needs besides its data: the language, gettext, dates and numbers."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.dates import format_datetime
from babel.numbers import format_decimal

from checklist.core.i18n import locale_for
from checklist.core.i18n import translations_for
from checklist.core.labels import status_labels


class ReportContext:
    """Base of each report's context; `report` must have `.criteria` and `.lang`."""

    def __init__(self, report):
        self.report = report
        self.criteria = report.criteria
        self.lang = report.lang if report.lang in ("nl", "en") else "nl"
        self.locale = locale_for(self.lang)
        translations = translations_for(self.lang)
        self.gettext = translations.gettext
        self._ngettext = translations.ngettext

    def _(self, msgid: str, **values) -> str:
        text = self.gettext(msgid)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values) -> str:
        """The singular or plural form for `n` (Dutch and English: "1 visit", "2 visits")."""
        return self._ngettext(singular, plural, n) % dict(values, n=n)

    def date(self, value, form: str = "long") -> str:
        if not value:
            return "–"
        try:
            return format_date(dt.date.fromisoformat(str(value)[:10]), form, locale=self.locale)
        except ValueError:
            return str(value)

    def timestamp(self, value) -> str:
        try:
            return format_datetime(dt.datetime.fromisoformat(str(value)), "d MMMM y, HH:mm", locale=self.locale)
        except ValueError:
            return str(value)

    def number(self, value, digits: int = 1) -> str:
        return format_decimal(round(value, digits), locale=self.locale)

    def status(self, status: str) -> str:
        """The same words as the web pages: Good / Needs attention / Insufficient / No score."""
        return status_labels(self._).get(status, self._("No score"))
