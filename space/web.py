"""The web layer: blueprints, the signed-in user, template context and the core pages."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import update
from werkzeug.routing import Rule

from space import errors, i18n, jobs, notify, plugins, site
from space.accounts.models import User
from space.db import db, utcnow
from space.errors import fail
from space.extensions import login_manager
from space.hookspecs import Outlet
from space.permissions import can, require
from space.security import safe_next

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.post("/language")
def set_language():
    """Switch the interface language; saved to the profile when signed in."""
    code = request.form.get("locale", "")
    if code in i18n.locales():
        session["lang"] = code
        if current_user.is_authenticated:
            from space.accounts.services import update_profile

            update_profile(current_user, locale=code)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))


@bp.get("/code-of-conduct")
def code_of_conduct():
    require(current_user, "site.read")
    return render_template("core/code_of_conduct.html", text=site.code_of_conduct())


# A sitemap holds at most this many addresses (sitemaps.org).
SITEMAP_LIMIT = 50_000


@bp.get("/sitemap.xml")
def sitemap():
    """Public pages for search engines: the home page and what plugins list (what an
    anonymous reader may see, nothing else)."""
    from xml.etree import ElementTree as ET

    root = ET.Element("urlset", {"xmlns": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    entries = [("/", None), *plugins.flatten(plugins.hook().sitemap_urls())]
    for path, modified in entries[:SITEMAP_LIMIT]:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = request.url_root.rstrip("/") + path
        if modified is not None:
            ET.SubElement(url, "lastmod").text = modified.date().isoformat()
    response = make_response(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    response.content_type = "application/xml; charset=utf-8"
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", "Disallow: /review", "Disallow: /admin",
             f"Sitemap: {request.url_root}sitemap.xml"]  # fmt: skip
    body = "\n".join(lines) + "\n"
    response = make_response(body)
    response.content_type = "text/plain; charset=utf-8"
    return response


@login_manager.user_loader
def load_user(user_id: str):
    ident, _, version = user_id.partition(":")
    if not (ident.isascii() and ident.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version):
        return None
    return user


def _refuse_nul():
    """NUL characters are never valid text here, and PostgreSQL refuses them: answer 400
    before any view tries to store or look them up."""
    values = [request.path, *request.args.values()]
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        fail(400, _("The request contains characters that are not allowed."))


def _mark_seen(response):
    """Note when a signed-in person was last here (one write per five minutes at most)."""
    # Only on successful reads, so it never commits a half-done write of a failed request.
    if (
        current_user.is_authenticated
        and request.method == "GET"
        and response.status_code < 400
        and request.endpoint != "static"
    ):
        last = current_user.last_seen_at
        now = utcnow()
        if last is None or now - last > timedelta(minutes=5):
            db.session.execute(
                update(User).where(User.id == current_user.id).values(last_seen_at=now)
            )
            db.session.commit()
    return response


def _run_jobs(response):
    pending = bool(g.get("space_mail_pending"))
    app = current_app._get_current_object()

    def after_close():
        with app.app_context():
            jobs.tick_after_response(pending)

    response.call_on_close(after_close)
    return response


def _nav_items():
    items = plugins.flatten(plugins.hook().nav_items(user=current_user))
    return sorted(items, key=lambda item: item.order)


def _outlet(place: Outlet | str, **context) -> Markup:
    parts = plugins.hook().template_outlet(outlet=Outlet(place), context=context)
    return Markup("").join(Markup(p) for p in parts if p)


def _template_context():
    locale = str(get_locale())
    unread = None
    if current_user.is_authenticated:
        unread = notify.unread_count(current_user.id)
    return {
        "site": site.all_settings(),
        "locale": locale,
        "html_lang": locale.replace("_", "-"),
        "text_dir": i18n.text_direction(locale),
        "nav_items": _nav_items,
        "outlet": _outlet,
        "Outlet": Outlet,
        "unread_notifications": unread,
    }


class LazyRule(Rule):
    """A URL rule that writes its URL-building code on first use. Werkzeug compiles two
    builders per rule as it is added, the larger part of registering ~230 rules; a process
    builds URLs for some endpoints only (and a test app for a few)."""

    def _compile_builder(self, append_unknown: bool = True):
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_builder = super()._compile_builder

        def build_on_first_use(rule, *args, **kwargs):
            builder = compile_builder(append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            return builder(*args, **kwargs)

        return build_on_first_use


def register(app, registry) -> None:
    from space import api, cli, pagecache, search, uploads
    from space.accounts import bp as accounts_bp
    from space.admin import bp as admin_bp
    from space.notifications import bp as notifications_bp

    app.url_rule_class = LazyRule
    app.register_blueprint(bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(uploads.bp)
    from space.moderation import admin_views as moderation_admin
    from space.moderation import views as moderation_views

    app.register_blueprint(moderation_admin.bp)
    app.register_blueprint(moderation_admin.coc_bp)
    app.register_blueprint(moderation_views.bp)
    search.init_app(app)
    pagecache.init_app(app)
    for plugin in registry.plugins.values():
        if plugin.blueprint is not None:
            app.register_blueprint(
                plugin.blueprint, url_prefix=plugin.url_prefix or f"/{plugin.name}"
            )
    api.init_app(app, registry)
    cli.init_app(app, registry)
    errors.init_app(app)
    app.jinja_env.globals["can"] = can
    app.context_processor(_template_context)
    app.before_request(_refuse_nul)
    app.after_request(_mark_seen)
    app.after_request(_run_jobs)
