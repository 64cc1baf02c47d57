"""Site settings that admins change at run time: title, tagline, registration mode and the
code of conduct (one text per language), plus the settings plugins declare through the
``site_settings`` hook (e.g. "discuss.post_min_length"). Stored as rows, read once per request.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import get_locale
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from space.db import db

DEFAULTS: dict[str, Any] = {
    "title": "Space",
    "tagline": "",
    "registration": "open",  # "open" or "invite"
    # {"en": {"text": "...", "html": "..."}, "fr": {...}}
    "code_of_conduct": {},
}


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


def defaults() -> dict[str, Any]:
    """The core's defaults and every enabled plugin's, by key."""
    found = current_app.extensions.get("space.site_defaults")
    if found is None:
        from space.moderation.settings import DEFAULTS as MODERATION
        from space.plugins import hook

        found = {**DEFAULTS, **MODERATION}
        for declared in hook().site_settings():
            found.update(declared or {})
        current_app.extensions["space.site_defaults"] = found
    return found


def _load() -> dict[str, Any]:
    known = defaults()
    values = dict(known)
    for row in db.session.scalars(select(SiteSetting)):
        if row.key in known:
            values[row.key] = row.value
    return values


def all_settings() -> dict[str, Any]:
    """Every setting, loaded once per request."""
    if has_request_context():
        if "space_site" not in g:
            g.space_site = _load()
        return g.space_site
    return _load()


def get(key: str) -> Any:
    return all_settings()[key]


def put(key: str, value: Any) -> None:
    """Change one setting (the caller commits)."""
    if key not in defaults():
        raise KeyError(key)
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
    if has_request_context():
        g.pop("space_site", None)


def code_of_conduct(locale: str | None = None) -> dict[str, str] | None:
    """The code of conduct in ``locale`` (default: the current one), else the site's default
    language, else any; None when none was written."""
    texts = get("code_of_conduct") or {}
    wanted = locale or (str(get_locale()) if has_request_context() else None)
    for code in (wanted, current_app.config["SPACE_DEFAULT_LOCALE"], *sorted(texts)):
        if code and code in texts and texts[code].get("text"):
            return {"locale": code, **texts[code]}
    return None
