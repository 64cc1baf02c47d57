"""Locale and time zone selection, and the formatting helpers templates use.

The locale is chosen by the person's setting, then ``?lang=`` (remembered in the session),
then the browser's Accept-Language, then the site default. Dates, numbers and relative
times are formatted by Babel in the person's locale and time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
    get_locale,
    get_translations,
)
from flask_login import current_user

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


def locales() -> list[str]:
    return current_app.config["SPACE_LOCALES"]


def language_names() -> list[tuple[str, str]]:
    """(code, name in its own language) for every shipped locale."""
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in locales()]


def spoken_languages(codes: list[str]) -> str:
    """ "French, Spanish and Arabic" in the current locale."""
    from babel.lists import format_list
    from flask_babel import get_locale

    current = get_locale()
    names = []
    for code in codes:
        try:
            names.append(Locale.parse(code).get_display_name(current) or code)
        except (ValueError, TypeError):
            names.append(code)
    return format_list(names, locale=current) if names else ""


def select_locale() -> str:
    available = locales()
    if not has_request_context():  # CLI, jobs: the site default
        return current_app.config["SPACE_DEFAULT_LOCALE"]
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in available:
        return user_locale
    asked = request.args.get("lang")
    if asked in available:
        session["lang"] = asked
        return asked
    if session.get("lang") in available:
        return session["lang"]
    return (
        request.accept_languages.best_match(available) or current_app.config["SPACE_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    if not has_request_context():
        return "UTC"
    zone = getattr(current_user, "timezone", None) if current_user else None
    return zone or current_app.config["SPACE_DEFAULT_TIMEZONE"]


def text_direction(locale: str | None) -> str:
    return "rtl" if locale and locale.split("_")[0] in RTL_LANGUAGES else "ltr"


_ZONES: list[str] | None = None


def timezones() -> list[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = sorted(z for z in available_timezones() if "/" in z or z == "UTC")
    return _ZONES


def is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return name in timezones()


def reltime(value: datetime | None) -> str:
    """ "3 hours ago" / "in 2 days" in the current locale."""
    if value is None:
        return ""
    return format_timedelta(value - datetime.now(UTC), add_direction=True)


def translations():
    """The current translations, looked up once per request and locale: flask-babel looks
    them up again for every string a template translates (13 → 6 µs a string)."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    kept = g.get("space_translations")
    if kept is None or kept[0] is not locale:  # first string, or a forced locale (emails)
        kept = g.space_translations = (locale, get_translations())
    return kept[1]


def init_app(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": format_datetime(v, fmt) if v else ""
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(v, fmt) if v else ""
    app.jinja_env.filters["reltime"] = reltime
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["text_direction"] = text_direction
    app.jinja_env.globals["language_names"] = language_names
    app.jinja_env.globals["spoken_languages"] = spoken_languages


def spoken_language_choices(first=()) -> list[tuple[str, str]]:
    """(code, name in the current locale) of every spoken language, sorted by name with the
    codes in ``first`` (a person's own languages) at the top."""
    from flask_babel import get_locale

    current = get_locale()
    names = []
    for code in SPOKEN_LANGUAGES:
        name = Locale.parse(code).get_display_name(current) or code
        names.append((code, name[:1].upper() + name[1:]))
    chosen = set(first or ())
    return sorted(names, key=lambda pair: (pair[0] not in chosen, pair[1]))


# Languages people may say they speak on their profile (ISO 639-1 codes Babel knows).
SPOKEN_LANGUAGES = (
    "af", "am", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "eo", "es", "et", "eu", "fa", "fi", "fr", "ga", "gl", "gu", "ha", "he", "hi", "hr", "hu",
    "hy", "id", "ig", "is", "it", "ja", "ka", "kk", "km", "kn", "ko", "ky", "lo", "lt", "lv",
    "mk", "ml", "mn", "mr", "ms", "mt", "my", "nb", "ne", "nl", "or", "pa", "pl", "ps", "pt",
    "ro", "ru", "si", "sk", "sl", "so", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tr",
    "uk", "ur", "uz", "vi", "xh", "yo", "zh", "zu",
)  # fmt: skip
