"""The languages a story may be written in: the site's languages first, then every spoken
language the site knows a name for. One rule for pitches, the editor, translations, archives
and feeds."""

from __future__ import annotations

from flask_babel import gettext as _

from space import i18n

from .workflow import WorkflowError


def codes() -> list[str]:
    found = list(i18n.locales())
    found += [code for code in i18n.SPOKEN_LANGUAGES if code not in found]
    return found


def is_known(code: str) -> bool:
    return code in codes()


def choices(first=()) -> list[tuple[str, str]]:
    """(code, name in the current language) for a select: ``first`` (e.g. the person's own
    languages), then the site's languages, then the rest."""
    site = [code for code in (*first, *i18n.locales()) if code]
    named = dict(i18n.spoken_language_choices(first=site))
    ordered = list(dict.fromkeys([*site, *named]))
    return [(code, named.get(code, code)) for code in ordered if is_known(code)]


def clean(code) -> str:
    """A known code: "pt-BR" and "pt_br" are read as "pt_BR" when that is known, else "pt".
    Raises ``WorkflowError`` on the language field."""
    wanted = code.strip().replace("-", "_").lower() if isinstance(code, str) else ""
    known = {item.lower(): item for item in codes()}
    for candidate in (wanted, wanted.split("_")[0]):
        if candidate and candidate in known:
            return known[candidate]
    raise WorkflowError(_("Choose the language the story is written in."), "language")
