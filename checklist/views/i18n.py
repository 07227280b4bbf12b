"""The language of a request: the `lang` cookie, Dutch when none is set (Flask-Babel).

The catalogs themselves live in `checklist.core.i18n`, shared with the PDFs and the CLI.
"""

from __future__ import annotations

from babel.support import NullTranslations
from jinja2 import pass_context
from markupsafe import Markup

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
        return normalise_language(request.cookies.get(language_cookie_name()))

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

    @app.context_processor
    def template_translations():
        # Each render gets its language's functions directly: `_`, `gettext` and `ngettext`
        # then skip the extension's alias, its wrapper and the per-call catalog lookup (the
        # globals above stay for macros imported without context).
        functions = template_gettext(current_language())
        return {"_": functions.gettext, "gettext": functions.gettext, "ngettext": functions.ngettext}


def language_cookie_name() -> str:
    """`__Host-lang` over HTTPS (like `__Host-session`: only this host, path /, Secure, so no
    other site under the same domain can set it), `lang` when the local config turns HTTPS off."""
    from flask import current_app

    return f"__Host-{LANGUAGE_COOKIE}" if current_app.config["SESSION_COOKIE_SECURE"] else LANGUAGE_COOKIE


class TemplateGettext:
    """Jinja's new-style gettext and ngettext for one language, the same results as
    `install_gettext_callables(..., newstyle=True)` gives: under autoescape the translation
    is Markup, and it is always a %-format string (so "%%" is "%").

    A page calls gettext a few hundred times, mostly with the same few dozen strings and no
    variables (a visit page: 300 calls, a fifth of its time), so those results are kept.
    """

    KEEP = 5000  # distinct strings kept per language; templates have a few hundred

    def __init__(self, translations: NullTranslations):
        self._gettext = translations.gettext
        self._ngettext = translations.ngettext
        self._kept: dict[tuple[str, bool], str] = {}

    @pass_context
    def gettext(self, context, string, /, **variables):
        autoescape = context.eval_ctx.autoescape
        if not variables:
            rv = self._kept.get((string, autoescape))
            if rv is None:
                rv = self._format(self._gettext(string), autoescape, variables)
                if len(self._kept) < self.KEEP:
                    self._kept[(string, autoescape)] = rv
            return rv
        return self._format(self._gettext(string), autoescape, variables)

    @pass_context
    def ngettext(self, context, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        return self._format(self._ngettext(singular, plural, num), context.eval_ctx.autoescape, variables)

    @staticmethod
    def _format(rv: str, autoescape: bool, variables: dict):
        return (Markup(rv) if autoescape else rv) % variables


_template_gettext: dict[str, TemplateGettext] = {}


def template_gettext(lang: str) -> TemplateGettext:
    functions = _template_gettext.get(lang)
    if functions is None:
        functions = _template_gettext[lang] = TemplateGettext(translations_for(lang))
    return functions


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
