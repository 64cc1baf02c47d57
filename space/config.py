"""Settings: defaults, overridden by ``SPACE_*`` environment variables, then by the mapping
given to ``create_app``.

Only this module reads the environment. Every setting a person may change is listed in
``DEFAULTS`` with the value a fresh installation uses.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# The areas add themselves here as they land (plugins/discuss, blog, events).
DEFAULT_PLUGINS: list[str] = ["discuss", "blog", "events"]

DEFAULTS: dict[str, Any] = {
    # Where the data lives. None means "an SQLite file under the instance folder".
    "SPACE_DATABASE_URL": None,
    "SPACE_SECRET_KEY": None,
    "SPACE_REDIS_URL": None,
    # Prefix of every key Space keeps in Redis, so several sites can share one server.
    "SPACE_REDIS_PREFIX": "space",
    # smtp://user:password@host:port (smtps:// for TLS on connect, ?starttls=1 for STARTTLS).
    # None: messages are written to the log and kept in the outbox (flask space outbox).
    "SPACE_MAIL_URL": None,
    "SPACE_MAIL_FROM": "Space <noreply@localhost>",
    # The public address, for links in emails sent outside a request.
    "SPACE_BASE_URL": "http://127.0.0.1:5000",
    # Ordered list of enabled plugins (names of built-in plugins, importable modules or
    # entry points of the "space.plugins" group). A comma-separated string in the environment.
    "SPACE_PLUGINS": DEFAULT_PLUGINS,
    # "auto": PostgreSQL full text search on PostgreSQL, an embedded Whoosh index elsewhere;
    # or "whoosh" / "postgres" (PostgreSQL databases only).
    "SPACE_SEARCH_BACKEND": "auto",
    "SPACE_SEARCH_PATH": None,  # None: <instance>/search (Whoosh)
    "SPACE_LOCALES": ["en", "fr", "es", "ar"],
    "SPACE_DEFAULT_LOCALE": "en",
    "SPACE_DEFAULT_TIMEZONE": "UTC",
    # Unread notifications are emailed after this many minutes.
    "SPACE_NOTIFICATION_EMAIL_DELAY_MINUTES": 10,
    "SPACE_CONFIRM_MAX_AGE_HOURS": 72,
    "SPACE_RESET_MAX_AGE_HOURS": 2,
    "SPACE_RATELIMIT_LOGIN": "10 per minute;50 per hour",
    "SPACE_RATELIMIT_REGISTER": "5 per hour",
    "SPACE_RATELIMIT_RESET": "5 per hour",
    "SPACE_RATELIMIT_API": "300 per minute",
    "SPACE_PAGE_SIZE": 30,
    # Pages kept in each process for anonymous readers (space/pagecache.py): how many, and
    # for how long at most, in seconds (0: none kept).
    "SPACE_PAGE_CACHE_SIZE": 200,
    "SPACE_PAGE_CACHE_SECONDS": 60,
    # Views of topics are added up in each process and written every this many seconds
    # (0: with each view).
    "SPACE_VIEW_COUNT_SECONDS": 10,
    # Behind a reverse proxy: trust this many X-Forwarded-* hops.
    "SPACE_PROXY_HOPS": 0,
    # Session cookie "Secure" flag; on by default when SPACE_PREFERRED_URL_SCHEME is https.
    "SPACE_PREFERRED_URL_SCHEME": "http",
    # Scheduled jobs (mail delivery, …) run after responses at most once per period and
    # process; turned off in tests and when a separate `flask space jobs` runs them.
    "SPACE_JOBS_ON_REQUEST": True,
    "SPACE_MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # Extra image sources the Content-Security-Policy allows (e.g. a map's tile server).
    "SPACE_CSP_IMG_SOURCES": [],
    # Uploaded images (space/uploads.py): largest file, and where they are kept
    # (None: <instance>/uploads). A POST /uploads body may exceed SPACE_MAX_CONTENT_LENGTH.
    "SPACE_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    "SPACE_UPLOAD_DIR": None,
    "SPACE_RATELIMIT_UPLOAD": "30 per minute;300 per day",
    # Werkzeug's password hashing method (tests use a cheap one).
    "SPACE_PASSWORD_HASH": "scrypt",
}

_LIST_SETTINGS = {"SPACE_PLUGINS", "SPACE_LOCALES", "SPACE_CSP_IMG_SOURCES"}
_INT_SETTINGS = {
    "SPACE_NOTIFICATION_EMAIL_DELAY_MINUTES",
    "SPACE_CONFIRM_MAX_AGE_HOURS",
    "SPACE_RESET_MAX_AGE_HOURS",
    "SPACE_PAGE_SIZE",
    "SPACE_PROXY_HOPS",
    "SPACE_MAX_CONTENT_LENGTH",
    "SPACE_UPLOAD_MAX_BYTES",
    "SPACE_PAGE_CACHE_SIZE",
    "SPACE_PAGE_CACHE_SECONDS",
    "SPACE_VIEW_COUNT_SECONDS",
}
_BOOL_SETTINGS = {"SPACE_JOBS_ON_REQUEST"}


def _from_env(name: str, raw: str) -> Any:
    if name in _LIST_SETTINGS:
        raw = raw.strip()
        if raw.startswith("["):
            return json.loads(raw)
        return [part.strip() for part in raw.split(",") if part.strip()]
    if name in _INT_SETTINGS:
        return int(raw)
    if name in _BOOL_SETTINGS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def load(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults < environment < ``overrides``, with derived Flask keys."""
    settings = dict(DEFAULTS)
    for name in DEFAULTS:
        if name in os.environ:
            settings[name] = _from_env(name, os.environ[name])
    settings.update(overrides or {})

    instance = Path(instance_path)
    if not settings["SPACE_DATABASE_URL"]:
        settings["SPACE_DATABASE_URL"] = f"sqlite:///{instance / 'space.db'}"
    if not settings["SPACE_SEARCH_PATH"]:
        settings["SPACE_SEARCH_PATH"] = str(instance / "search")
    if not settings["SPACE_UPLOAD_DIR"]:
        settings["SPACE_UPLOAD_DIR"] = str(instance / "uploads")
    if not settings["SPACE_SECRET_KEY"]:
        settings["SPACE_SECRET_KEY"] = _instance_secret(instance)

    secure = settings["SPACE_PREFERRED_URL_SCHEME"] == "https"
    settings.setdefault("SQLALCHEMY_DATABASE_URI", settings["SPACE_DATABASE_URL"])
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    settings.setdefault("SECRET_KEY", settings["SPACE_SECRET_KEY"])
    settings.setdefault("MAX_CONTENT_LENGTH", settings["SPACE_MAX_CONTENT_LENGTH"])
    settings.setdefault("PREFERRED_URL_SCHEME", settings["SPACE_PREFERRED_URL_SCHEME"])
    settings.setdefault("SESSION_COOKIE_HTTPONLY", True)
    settings.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    settings.setdefault("SESSION_COOKIE_SECURE", secure)
    settings.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    settings.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    settings.setdefault("REMEMBER_COOKIE_SECURE", secure)
    settings.setdefault("BABEL_DEFAULT_LOCALE", settings["SPACE_DEFAULT_LOCALE"])
    settings.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    settings.setdefault("RATELIMIT_ENABLED", True)
    settings.setdefault("RATELIMIT_STORAGE_URI", settings["SPACE_REDIS_URL"] or "memory://")
    settings.setdefault("RATELIMIT_KEY_PREFIX", settings["SPACE_REDIS_PREFIX"])
    settings.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A Redis outage must not take pages down: fall back to in-memory limits. A Redis that
    # hangs counts as down after a second (the client's default, 5 s, held up every request
    # that checked whether it was back).
    settings.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if settings["SPACE_REDIS_URL"]:
        settings.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    settings.setdefault("API_TITLE", "Space API")
    settings.setdefault("API_VERSION", "v1")
    settings.setdefault("OPENAPI_VERSION", "3.0.3")
    settings.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    settings.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    settings.setdefault("WTF_CSRF_TIME_LIMIT", None)
    return settings


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so a fresh install is safe without setup."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
