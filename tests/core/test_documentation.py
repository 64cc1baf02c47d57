"""Every hook and every setting is documented; every command and setting the docs name
exists."""

import re
from pathlib import Path

import click

from space import config, hookspecs
from space.config import DEFAULT_PLUGINS
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]


def test_every_hook_is_documented():
    documented = (ROOT / "docs" / "plugins.md").read_text()
    hooks = [name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "space_spec")]
    assert hooks, "no hookspecs found"
    missing = [name for name in hooks if f"`{name}(" not in documented]
    assert not missing, f"hooks missing from docs/plugins.md: {missing}"


def test_every_outlet_is_documented():
    documented = (ROOT / "docs" / "plugins.md").read_text()
    assert all(f"`{outlet.value}`" in documented for outlet in hookspecs.Outlet)


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in config.DEFAULTS if f"`{name}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"


# Commands as the docs write them: `flask --app wsgi space …`, `flask space …`, the
# deployment page's wrapper script (`/usr/local/bin/space …`) and code lines starting with
# `space …`. What follows the command up to a shell operator or comment is checked too.
COMMAND_RE = re.compile(
    r"(?:flask (?:--app wsgi )?space|bin/space|^\s*space|`space) ([^`#|&>\\\n]*)", re.MULTILINE
)
SETTING_RE = re.compile(r"\bSPACE_[A-Z0-9_]+\b")
# Read by the test suite, not by Space (docs/testing.md names them), and where.
SUITE_VARIABLES = {
    "SPACE_TEST_DATABASE_URL": "conftest.py",
    "SPACE_REQUIRE_BROWSER": "e2e/conftest.py",
}


def _documents():
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _problem(group, words: list[str]) -> str | None:
    """What is wrong with the command line ``words`` (after ``space``), or None."""
    command, rest = group, list(words)
    while isinstance(command, click.Group) and rest:
        name = rest.pop(0)
        if name not in command.commands:
            return f"no command {name!r}"
        command = command.commands[name]
    if isinstance(command, click.Group):
        return "a group without a command"
    options = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    unknown = [word for word in rest if word.startswith("--") and word not in options]
    return f"no option {unknown}" if unknown else None


def test_every_command_the_docs_name_exists_with_its_options(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'docs.db'}", tmp_path, SPACE_PLUGINS=DEFAULT_PLUGINS)
    group = app.cli.commands["space"]
    problems, seen = [], 0
    for document in _documents():
        for match in COMMAND_RE.finditer(document.read_text()):
            words = match.group(1).split()
            if not words or not words[0][0].isalpha():
                continue
            seen += 1
            problem = _problem(group, [w.split("=")[0] for w in words])
            if problem:
                problems.append(f"{document.name}: space {match.group(1).strip()}: {problem}")
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Everyday commands")[1].split("\n## ")[0]
    for line in re.findall(r"^\| `([a-z][^`]*)` \|", table, re.MULTILINE):
        seen += 1
        problem = _problem(group, line.split())
        if problem:
            problems.append(f"README.md's command table: {line}: {problem}")
    assert seen > 20
    assert not problems, problems


def test_every_setting_the_docs_name_exists():
    named = {
        (document.name, setting)
        for document in _documents()
        for setting in SETTING_RE.findall(document.read_text())
    }
    assert ("deployment.md", "SPACE_SECRET_KEY") in named
    allowed = set(config.DEFAULTS) | set(SUITE_VARIABLES)
    unknown = sorted(f"{name}: {setting}" for name, setting in named if setting not in allowed)
    assert not unknown, unknown
    for variable, reader in SUITE_VARIABLES.items():
        assert variable in (ROOT / "tests" / reader).read_text()
