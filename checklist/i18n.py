"""Languages: Dutch first, English too.

UI strings are English msgids translated in `translations/<lang>/LC_MESSAGES/messages.po`.
`translations_for()` works without Flask so the PDF builder and the CLI share the same
catalog as the pages; `init_app()` wires Flask-Babel and the language choice.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations
from babel.support import Translations

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGE_COOKIE = "lang"


def N_(message: str) -> str:
    """Marks a msgid for extraction (`pybabel extract -k N_`) where it is defined; it is
    translated where it is shown."""
    return message


def normalise_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations_for(lang: str) -> NullTranslations:
    """The gettext catalog for a language; English is the msgid itself."""
    lang = normalise_language(lang)
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [lang])


def init_app(app) -> None:
    """Flask-Babel with the language from the `lang` cookie, Dutch when none is set."""
    from flask import request
    from flask_babel import Babel

    def select_locale():
        return normalise_language(request.cookies.get(LANGUAGE_COOKIE))

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    Babel(app, locale_selector=select_locale)
    # Templates call gettext a few hundred times per page; Flask-Babel's own lookup costs
    # tens of microseconds per call, so templates use the request's catalog directly.
    app.jinja_env.install_gettext_callables(
        lambda s: request_translations().gettext(s),
        lambda s, p, n: request_translations().ngettext(s, p, n),
        newstyle=True,
    )


def request_translations() -> NullTranslations:
    """The catalog of the request's language, looked up once per request."""
    from flask import g

    if "translations" not in g:
        g.translations = translations_for(current_language())
    return g.translations


def current_language() -> str:
    """The request's language code ('nl' or 'en')."""
    from flask_babel import get_locale

    locale = get_locale()
    return normalise_language(locale.language if locale else None)
