"""Languages: Dutch first, English too.

UI strings are English msgids translated in `translations/<lang>/LC_MESSAGES/messages.po`.
`translations_for()` works without Flask so the PDF builder and the CLI share the same
catalog as the pages; `checklist.views.i18n` wires Flask-Babel and the language choice.
"""

from __future__ import annotations

import threading
from pathlib import Path

from babel.support import NullTranslations
from babel.support import Translations
from cachetools import LRUCache
from cachetools import cached

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TRANSLATIONS_DIR = Path(__file__).parent.parent / "translations"
LANGUAGE_COOKIE = "lang"


def N_(message: str) -> str:
    """Marks a msgid for extraction (`pybabel extract -k N_`) where it is defined; it is
    translated where it is shown."""
    return message


LOCALES = {"nl": "nl_NL", "en": "en_GB"}  # how dates and numbers are written per language


def locale_for(lang: str) -> str:
    return LOCALES[normalise_language(lang)]


def normalise_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def translations_for(lang: str) -> NullTranslations:
    """The gettext catalog for a language; English is the msgid itself."""
    return _catalog(normalise_language(lang))


# Keyed by the normalised language, so whatever string a caller passes there is one entry
# per language the app has.
@cached(LRUCache(maxsize=len(LANGUAGES)), lock=threading.Lock())
def _catalog(lang: str) -> NullTranslations:
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [lang])
