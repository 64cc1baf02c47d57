"""Site settings that admins change at run time: title, tagline, registration mode and the
code of conduct (one text per language), plus the settings plugins declare through the
``site_settings`` hook (e.g. "discuss.post_min_length"). Stored as rows, read once per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import get_locale
from sqlalchemy import JSON, String, Text, cast, select
from sqlalchemy.orm import Mapped, mapped_column

from space.db import db

DEFAULTS: dict[str, Any] = {
    "title": "Space",
    "tagline": "",
    "registration": "open",  # "open" or "invite"
    # {"en": {"text": "...", "html": "..."}, "fr": {...}}
    "code_of_conduct": {},
}
# Not a setting: a row replaced by every commit that changes what pages show
# (space/pagecache.py keeps pages, and the settings, until it changes).
GENERATION = "content_generation"


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


def _stored() -> dict[str, str | None]:
    """Every stored row, its value as JSON text (parsed only when needed): one query.

    Read in the session's transaction when one is under way (it sees its own changes);
    otherwise, as for the first query of a request, outside any transaction: on PostgreSQL
    that saves a BEGIN and a COMMIT, all but half of what a kept page costs (pagecache)."""
    query = select(SiteSetting.key, cast(SiteSetting.value, Text))
    if db.session().in_transaction():
        return {key: value for key, value in db.session.execute(query)}
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return {key: value for key, value in connection.execute(query)}


def _parse(stored: dict[str, str | None]) -> dict[str, Any]:
    known = defaults()
    values = dict(known)
    for key, text in stored.items():
        if key in known:
            values[key] = None if text is None else json.loads(text)
    return values


def all_settings() -> dict[str, Any]:
    """Every setting, read once per request (one query, which also reads the content
    generation) and parsed once per content generation; parsed again after a change in
    this request."""
    if not has_request_context():
        return _parse(_stored())
    if "space_site" not in g:
        from space import pagecache

        stored = _stored()
        g.space_generation = stored.get(GENERATION) or ""
        if g.get("space_site_changed"):
            g.space_site = _parse(stored)
        else:
            g.space_site = dict(pagecache.memo("space.site", lambda: _parse(stored)))
    return g.space_site


def generation() -> str:
    """The content generation ("" before the first change), read with the settings."""
    if has_request_context():
        if "space_generation" not in g:
            all_settings()
        return g.space_generation
    return _stored().get(GENERATION) or ""


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
        g.space_site_changed = True


def code_of_conduct(locale: str | None = None) -> dict[str, str] | None:
    """The code of conduct in ``locale`` (default: the current one), else the site's default
    language, else any; None when none was written."""
    texts = get("code_of_conduct") or {}
    wanted = locale or (str(get_locale()) if has_request_context() else None)
    for code in (wanted, current_app.config["SPACE_DEFAULT_LOCALE"], *sorted(texts)):
        if code and code in texts and texts[code].get("text"):
            return {"locale": code, **texts[code]}
    return None


# What a ticked box or a "yes" reads as.
TRUTHY = frozenset({"1", "on", "y", "yes", "true"})


@dataclass(frozen=True)
class Setting:
    """One number or switch an area declares: its ``name`` (without the area's prefix), its
    ``default``, the ``label`` admins read, the ``section`` it is shown under and the range
    allowed. ``decimal`` asks for a number with a fraction even when the default is whole."""

    name: str
    default: Any
    label: Any
    section: str = ""
    minimum: float = 0
    maximum: float = 1_000_000_000
    decimal: bool = False

    @property
    def kind(self) -> str:
        """How a form asks for it: "bool", "decimal", "number" or "text"."""
        if isinstance(self.default, bool):
            return "bool"
        if self.decimal or isinstance(self.default, float):
            return "decimal"
        if isinstance(self.default, int):
            return "number"
        return "text"

    def parse(self, text: str | None) -> tuple[Any, str | None]:
        """(value, None) from what an admin typed, or (None, a translated message)."""
        from flask_babel import gettext as _

        text = (text or "").strip()
        kind = self.kind
        if kind == "bool":
            return text.lower() in TRUTHY, None
        if kind == "text":
            return text, None
        try:
            number = float(text.replace(",", ".")) if kind == "decimal" else int(text)
        except ValueError:
            return None, _("Enter a number.") if kind == "decimal" else _("Enter a whole number.")
        if number != number or not self.minimum <= number <= self.maximum:  # NaN, range
            return None, _("Enter a number from %(min)s to %(max)s.", min=self.minimum,
                           max=self.maximum)  # fmt: skip
        return number, None


class Settings:
    """An area's settings, kept as site settings under ``prefix`` ("blog.")."""

    def __init__(self, prefix: str, settings: list[Setting]) -> None:
        self.prefix = prefix
        self.settings = settings
        self.by_name = {setting.name: setting for setting in settings}

    def defaults(self) -> dict[str, Any]:
        """For the ``site_settings`` hook: every setting's key and default."""
        return {self.prefix + s.name: s.default for s in self.settings}

    def value(self, name: str) -> Any:
        if name not in self.by_name:
            raise KeyError(name)
        return get(self.prefix + name)

    def put(self, name: str, new: Any) -> None:
        """Change a setting (the caller commits)."""
        if name not in self.by_name:
            raise KeyError(name)
        put(self.prefix + name, new)
