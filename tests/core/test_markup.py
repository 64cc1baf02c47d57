"""The one pipeline for user text."""

from space.markup import counts, mentions, plain_text, render


def test_markdown_with_fenced_code_and_tables():
    html = render("# Title\n\n```python\nprint(1)\n```\n\n|a|b|\n|-|-|\n|1|2|")
    assert '<code class="language-python">' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_links_are_autolinked_and_marked_nofollow_ugc():
    html = render("see https://example.org")
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in html


def test_trusted_authors_links_are_followed():
    assert "nofollow" not in render("https://example.org", trusted=True)


def test_mentions_link_to_profiles_but_not_inside_code():
    html = render("hi @ada and `@code`")
    assert '<a class="mention" href="/u/ada">@ada</a>' in html
    assert "<code>@code</code>" in html
    assert mentions("hi @Ada, @bob and @ada\n```\n@hidden\n```") == ["ada", "bob"]


def test_email_addresses_are_not_mentions():
    assert mentions("write to ada@example.org") == []


def test_dangerous_html_is_removed():
    html = render('<script>alert(1)</script><a href="javascript:x">x</a>'
                  '<img src="x" onerror="alert(1)"><iframe src="//x"></iframe>')  # fmt: skip
    assert "<script" not in html and "javascript:" not in html
    assert "onerror" not in html and "<iframe" not in html


def test_classes_outside_the_allowlist_are_dropped():
    assert 'class="evil"' not in render('<span class="evil">x</span>')


def test_counts_for_new_users_limits():
    html = render(
        "@ada https://a.example.org https://b.example.com ![x](https://c.example.org/i.png)"
    )
    assert counts(html) == counts(str(html))
    assert counts(html).mentions == 1
    assert counts(html).links == 2
    assert counts(html).images == 1


def test_plain_text_for_excerpts():
    assert plain_text(render("**Hello**  _world_")) == "Hello world"


def test_render_returns_markup_that_templates_do_not_escape():
    from markupsafe import Markup

    assert isinstance(render("x"), Markup)


def test_plain_text_gives_characters_not_entities():
    assert plain_text(render("Tom & Jerry <3")) == "Tom & Jerry <3"
