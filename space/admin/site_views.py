"""Admin page for the site settings: title, tagline, registration mode, and the code of
conduct in each of the site's languages.

The language being edited comes from ``?locale=`` rather than ``?lang=``: ``?lang=`` switches
the interface language (see ``space.i18n``), and editing the French text should not turn
the admin's own pages French.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from space import i18n, site
from space.admin import bp, services
from space.admin.forms import ConductForm, SiteForm, options
from space.db import db
from space.errors import fail
from space.permissions import require


def _editing_locale() -> str:
    """The language whose code of conduct is shown: ``?locale=``, else the admin's own."""
    asked = request.args.get("locale")
    if asked is not None:
        if asked not in i18n.locales():
            fail(400, _("This language is not offered on this site."))
        return asked
    current = str(get_locale())
    return current if current in i18n.locales() else current_app.config["SPACE_DEFAULT_LOCALE"]


def _conduct_form(locale: str, *, bound: bool = False) -> ConductForm:
    if bound:
        form = ConductForm()
    else:
        texts = site.get("code_of_conduct") or {}
        form = ConductForm(formdata=None, locale=locale, text=texts.get(locale, {}).get("text"))
    form.locale.choices = options(i18n.language_names())
    return form


def _site_form(*, bound: bool = False) -> SiteForm:
    if bound:
        return SiteForm()
    values = site.all_settings()
    return SiteForm(
        formdata=None,
        title=values["title"],
        tagline=values["tagline"],
        registration=values["registration"],
    )


def _render(site_form: SiteForm, conduct_form: ConductForm, locale: str, status: int = 200):
    texts = site.get("code_of_conduct") or {}
    languages = [(code, name, bool(texts.get(code, {}).get("text"))) for code, name in
                 i18n.language_names()]  # fmt: skip
    return render_template(
        "admin/settings.html",
        form=site_form,
        conduct_form=conduct_form,
        locale_edited=locale,
        languages=languages,
        conduct=texts.get(locale),
    ), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    require(current_user, "admin.access")
    locale = _editing_locale()
    if request.method == "GET":
        return _render(_site_form(), _conduct_form(locale), locale)
    form = _site_form(bound=True)
    if form.validate_on_submit():
        changed = services.update_site(
            by=current_user,
            title=form.title.data,
            tagline=form.tagline.data or "",
            registration=form.registration.data,
        )
        db.session.commit()
        if changed:
            flash(_("The site settings are saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("admin.settings"))
    return _render(form, _conduct_form(locale), locale, 422)


@bp.post("/settings/code-of-conduct")
def code_of_conduct():
    require(current_user, "admin.access")
    form = _conduct_form("", bound=True)
    if form.validate_on_submit():
        locale = form.locale.data
        if services.set_code_of_conduct(locale, form.text.data or "", by=current_user):
            db.session.commit()
            flash(_("The code of conduct is saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("admin.settings", locale=locale, _anchor="conduct"))
    locale = form.locale.data if form.locale.data in i18n.locales() else _editing_locale()
    return _render(_site_form(), form, locale, 422)
