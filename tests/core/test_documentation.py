"""Every hook and every setting is documented."""

from pathlib import Path

from space import config, hookspecs

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
