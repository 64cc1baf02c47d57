"""Demo content: people of every trust level and role, groups of every kind, the code of
conduct in every shipped language; then each plugin's own demo content. Never commits."""

from __future__ import annotations

from space import site
from space.accounts import groups, services
from space.accounts.models import GroupVisibility
from space.markup import render
from space.plugins import hook
from space.trust import TrustLevel

PASSWORD = "space-demo-pass"

PEOPLE = [
    # username, display name, trust level, roles, locale, affiliation, languages, bio
    ("admin", "Amara Okafor", TrustLevel.LEADER, ("admin",), "en", "Space team",
     ["en", "ig"], "I keep the lights on. Ask me about **anything** on this site."),
    ("moderator", "Mateo García", TrustLevel.REGULAR, ("moderator",), "es", "Madrid chapter",
     ["es", "en"], "Moderator. Friendly reminders about our code of conduct are my thing."),
    ("editor", "Claire Dubois", TrustLevel.MEMBER, ("editor",), "fr", "Paris affiliate",
     ["fr", "en"], "Blog editor. Pitch me your event stories!"),
    ("leader", "Yusuf Haddad", TrustLevel.LEADER, (), "ar", "Beirut user group",
     ["ar", "fr", "en"], "Organizer of monthly meetups and edit-a-thons."),
    ("regular", "Sofia Lindqvist", TrustLevel.REGULAR, (), "en", "Stockholm chapter",
     ["sv", "en"], "Regular here since the beginning."),
    ("member", "Kenji Watanabe", TrustLevel.MEMBER, (), "en", "",
     ["ja", "en"], "Training facilitator, happy to help newcomers."),
    ("basic", "Lucía Fernández", TrustLevel.BASIC, (), "es", "Buenos Aires",
     ["es"], "Learning the ropes."),
    ("newcomer", "Noah Smith", TrustLevel.NEW, (), None, "",
     ["en"], ""),
]  # fmt: skip

GROUPS = [
    # name, title, visibility, owner, members, description
    ("volunteers", "Volunteers", GroupVisibility.PUBLIC, "regular",
     ["member", "basic", "newcomer"], "Everyone who gives time to the movement. Join us!"),
    ("organizers", "Event organizers", GroupVisibility.CLOSED, "leader",
     ["regular", "editor"], "People who run local events. Ask to join and tell us what you "
     "organize."),
    ("board", "Board", GroupVisibility.PRIVATE, "admin",
     ["leader", "moderator"], "The board's private space."),
]  # fmt: skip

CODE_OF_CONDUCT = {
    "en": """## Our pledge
We want this community to be a welcoming, safe place for everyone, whatever their
experience, language, background or identity.

## Expected behaviour
- Be kind and assume good intent.
- Stay on topic and respect people's time.
- Credit others' work.

## Unacceptable behaviour
Harassment, personal attacks, discriminatory language, spam and sharing private
information without consent.

## Reporting
Use the **flag** button on any post, or write to the moderators. Reports are handled
confidentially.""",
    "fr": """## Notre engagement
Nous voulons que cette communauté soit un lieu accueillant et sûr pour toutes et tous.

## Comportement attendu
- Soyez bienveillant·e et présumez la bonne foi.
- Restez dans le sujet.
- Citez le travail des autres.

## Signaler
Utilisez le bouton **signaler** sur n'importe quel message.""",
    "es": """## Nuestro compromiso
Queremos que esta comunidad sea un lugar acogedor y seguro para todas las personas.

## Comportamiento esperado
- Sé amable y presupone buena fe.
- Mantente en el tema.
- Reconoce el trabajo de los demás.

## Denunciar
Usa el botón **denunciar** en cualquier mensaje.""",
    "ar": """## تعهدنا
نريد أن يكون هذا المجتمع مكانًا مرحبًا وآمنًا للجميع.

## السلوك المتوقع
- كن لطيفًا وافترض حسن النية.
- التزم بالموضوع.
- انسب العمل لأصحابه.

## الإبلاغ
استخدم زر **الإبلاغ** على أي مشاركة.""",
}


def load(size: str = "small") -> list[tuple[str, str]]:
    """Create the demo content; returns (username, description) of the demo accounts."""
    groups.ensure_automatic_groups()
    site.put("title", "Space")
    site.put("tagline", "Where our volunteers meet, write and organize")
    site.put(
        "code_of_conduct",
        {code: {"text": text, "html": str(render(text, trusted=True))}
         for code, text in CODE_OF_CONDUCT.items()},
    )  # fmt: skip
    people = {}
    accounts = []
    for username, name, level, roles, locale, affiliation, languages, bio in PEOPLE:
        user = services.create_user(
            username, f"{username}@example.org", PASSWORD, confirmed=True, trust_level=level,
            roles=roles, locale=locale,
        )  # fmt: skip
        services.update_profile(
            user, display_name=name, affiliation=affiliation, languages=languages, bio=bio,
            timezone="Europe/Paris" if locale == "fr" else "UTC",
        )  # fmt: skip
        people[username] = user
        accounts.append((username, ", ".join(roles) or f"trust level {int(level)}"))
    admin = people["admin"]
    for name, title, visibility, owner, members, description in GROUPS:
        group = groups.create_group(
            name=name, title=title, description=description, visibility=visibility, by=admin,
            owner=people[owner],
        )  # fmt: skip
        for member in members:
            groups.add_member(group, people[member])
    groups.request_to_join(
        groups.by_name("organizers"), people["basic"], "I run a monthly meetup in my city."
    )
    hook().demo_content(size=size)
    return accounts
