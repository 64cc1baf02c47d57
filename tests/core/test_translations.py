"""Every message a person reads is translated in every shipped locale."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["fr", "es", "ar"]
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "_n:1,2", "-k", "pgettext:1c,2"]


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The catalog template extracted from the code as it is now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         *KEYWORDS, "--no-location", "-o", str(pot), "."],  # fmt: skip
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as file:
        catalog = read_po(file)
    # babel.cfg's patterns are relative to the root: an extraction that finds nothing would
    # make every test below pass without checking anything.
    assert len(catalog) > 500, f"only {len(catalog)} messages extracted"
    return catalog


def _catalog(locale):
    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"{path} is missing: run `make translations`"
    with path.open("rb") as file:
        return read_po(file, locale=locale)


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(template, locale):
    catalog = _catalog(locale)
    missing, fuzzy = [], []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        if translated is None or not (
            all(translated.string) if isinstance(translated.string, tuple) else translated.string
        ):
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{len(missing)} untranslated in {locale}, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {locale}, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("locale", SHIPPED)
def test_translations_keep_their_placeholders(locale):
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        for checker_error in message.check(catalog):
            problems.append(f"{message.id!r}: {checker_error}")
    assert not problems, "\n".join(problems[:10])
