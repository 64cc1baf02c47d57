"""docs/blog.md keeps up with the code: every move of the flow, every setting and every
reading endpoint is in it."""

from __future__ import annotations

from pathlib import Path

from plugins.blog.services.workflow import TRANSITIONS
from plugins.blog.settings import SETTINGS

DOC = Path(__file__).resolve().parents[2] / "docs" / "blog.md"


def test_every_move_is_in_the_statuses_table():
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    documented = {line.split("`")[1] for line in rows}
    assert set(TRANSITIONS) <= documented, set(TRANSITIONS) - documented


def test_every_setting_is_documented():
    text = DOC.read_text()
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in text]
    assert not missing, missing


def test_every_reading_endpoint_is_documented(app):
    text = DOC.read_text()
    reading = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("blog.")
               and app.view_functions[rule.endpoint].__module__.endswith(
                   ("views.reading", "views.feeds", "views.translations"))]  # fmt: skip
    missing = sorted({name for name in reading if f"`{name}`" not in text})
    assert reading and not missing, missing
