"""The language of a request: the `lang` cookie, Dutch when none is set (Flask-Babel).

The catalogs themselves live in `checklist.core.i18n`, shared with the PDFs and the CLI.
"""

from __future__ import annotations

from babel.support import NullTranslations

from checklist.core.i18n import DEFAULT_LANGUAGE
from checklist.core.i18n import LANGUAGE_COOKIE
from checklist.core.i18n import TRANSLATIONS_DIR
from checklist.core.i18n import normalise_language
from checklist.core.i18n import translations_for


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
