"""The templates' gettext gives what Jinja's new-style gettext gives, only faster."""

from __future__ import annotations

from jinja2 import Environment
from markupsafe import Markup

from checklist.core.i18n import translations_for
from checklist.views.i18n import TemplateGettext


def _environments(lang: str, autoescape: bool):
    """Jinja's own new-style callables, and ours, over the same catalog."""
    catalog = translations_for(lang)
    theirs = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    theirs.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)
    ours = Environment(extensions=["jinja2.ext.i18n"], autoescape=autoescape)
    ours.install_gettext_callables(catalog.gettext, catalog.ngettext, newstyle=True)
    functions = TemplateGettext(catalog)
    ours.globals.update({"_": functions.gettext, "gettext": functions.gettext, "ngettext": functions.ngettext})
    return theirs, ours


SOURCE = """{{ _("Locations") }}|{{ _("Locations") }}|{{ _("100%% sure") }}|{{ _("Visit of %(date)s", date=d) }}|\
{{ gettext("Sign out") }}|{{ ngettext("%(num)s visit", "%(num)s visits", n) }}|{{ ngettext("one", "%(num)s of %(x)s", 3, x=d) }}|\
{% trans %}Hello {{ d }}{% endtrans %}|{{ _("Criteria version") ~ d }}"""


def test_same_output_as_jinjas_new_style_gettext():
    for lang in ("nl", "en"):
        for autoescape in (True, False):
            theirs, ours = _environments(lang, autoescape)
            for d in ["<b>&", "2026-01-01"]:
                for n in (1, 2):
                    expected = theirs.from_string(SOURCE).render(d=d, n=n)
                    assert ours.from_string(SOURCE).render(d=d, n=n) == expected


def test_variables_are_escaped_and_the_text_is_markup():
    functions = TemplateGettext(translations_for("en"))
    _theirs, ours = _environments("en", True)
    assert ours.from_string('{{ _("Visit of %(date)s", date="<i>") }}').render() == "Visit of &lt;i&gt;"
    result = ours.from_string("{% set t = _('Locations') %}{{ t.__class__.__name__ }}").render()
    assert result == Markup.__name__
    assert functions is not None
