"""The large demo's crowd (``flask space demo --size large``): about 500 people beside the
named demo accounts, with names from many languages, trust levels spread from 0 to 4, some
in the public "volunteers" group and a few in the closed "organizers" group.

Written in bulk (one INSERT for the people, one for their memberships, a few UPDATEs for the
groups' member counts) with what ``accounts.services.create_user`` would have done computed
here; the demo password is hashed once and the hash shared. Their search documents come from
the index rebuilt after the large demo (``space.demo.index_everything``). The same people
every time (``random.Random(SEED)``); dates are relative to now. Never commits.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import func, insert, select, update

from space.accounts.models import Group, Membership, User
from space.db import db
from space.markup import render
from space.trust import TrustLevel

SEED = 500
# Trust levels 0 to 4, one in a hundred each: most people are new or basic, few lead.
LEVELS = [TrustLevel.NEW] * 18 + [TrustLevel.BASIC] * 34 + [TrustLevel.MEMBER] * 28 + (
    [TrustLevel.REGULAR] * 14 + [TrustLevel.LEADER] * 6)  # fmt: skip

# locale, time zone, first names, family names (display form, username form).
NAMES = [
    ("en", "Europe/London",
     ["Olivia", "James", "Amelia", "Oliver", "Grace", "Harry", "Chloe", "Jack", "Ruby",
      "George", "Isla", "Thomas", "Emily", "William", "Poppy", "Samuel"],
     ["Taylor", "Brown", "Wilson", "Evans", "Walker", "Wright", "Roberts", "Green", "Hall",
      "Wood", "Clarke", "Hughes", "Turner", "Baker", "Hill", "Moore"]),
    ("fr", "Europe/Paris",
     ["Camille", "Louis", "Léa", "Hugo", "Manon", "Jules", "Chloé", "Gabriel", "Inès",
      "Arthur", "Zoé", "Raphaël", "Jade", "Théo", "Margaux", "Étienne"],
     ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
      "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garnier", "Rousseau"]),
    ("es", "Europe/Madrid",
     ["Lucía", "Hugo", "Martina", "Pablo", "Valentina", "Diego", "Camila", "Javier",
      "Daniela", "Andrés", "Paula", "Mateo", "Elena", "Tomás", "Julia", "Álvaro"],
     ["García", "Rodríguez", "González", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
      "Díaz", "Torres", "Ramírez", "Flores", "Vargas", "Castro", "Romero", "Navarro"]),
    ("ar", "Asia/Beirut",
     [("ليلى", "layla"), ("عمر", "omar"), ("نور", "nour"), ("كريم", "karim"),
      ("سارة", "sara"), ("يوسف", "youssef"), ("مريم", "maryam"), ("علي", "ali"),
      ("هدى", "huda"), ("سامي", "sami"), ("رنا", "rana"), ("خالد", "khaled")],
     [("حداد", "haddad"), ("خوري", "khoury"), ("منصور", "mansour"), ("سعيد", "said"),
      ("النجار", "najjar"), ("العلي", "alali"), ("حسن", "hassan"), ("عيسى", "issa"),
      ("قاسم", "qasem"), ("فارس", "fares"), ("سليمان", "suleiman"), ("جابر", "jaber")]),
    (None, "UTC",
     ["Aiko", "Kwame", "Priya", "Mei", "Chidi", "Ingrid", "Tiago", "Amina", "Ravi",
      "Astrid", "Joon", "Wanjiru", "Lars", "Ana", "Kofi", "Sakura"],
     ["Tanaka", "Mensah", "Sharma", "Chen", "Okeke", "Larsen", "Silva", "Diallo", "Iyer",
      "Berg", "Kim", "Kamau", "Nilsson", "Costa", "Boateng", "Sato"]),
]  # fmt: skip
SHARE = [30, 20, 20, 12, 18]  # in a hundred, by the entries of NAMES

CITIES = ["Lagos", "Paris", "Lyon", "Madrid", "Seville", "Beirut", "Amman", "Stockholm",
          "Tokyo", "Buenos Aires", "Montreal", "Dakar", "Nairobi", "Mumbai", "Lisbon",
          "Leeds", "Bogotá", "Casablanca", "Accra", "Berlin"]  # fmt: skip
BIOS = {
    "en": ["Volunteer from {city}. I mostly write about {topic}.",
           "Librarian in {city}, interested in {topic}.",
           "Student, new here. Learning how to edit articles about {topic}."],
    "fr": ["Bénévole à {city}, j'écris surtout sur {topic}.",
           "Bibliothécaire à {city}, passionnée par {topic}."],
    "es": ["Voluntaria en {city}. Me interesa {topic}.",
           "Profesor en {city}, edito artículos sobre {topic}."],
    "ar": ["متطوع من {city}، أهتم بـ{topic}.", "أعمل في مكتبة في {city}."],
}  # fmt: skip
TOPICS = {
    "en": ["local history", "women in science", "botany", "maps", "folk music", "railways"],
    "fr": ["l'histoire locale", "la botanique", "les cartes", "le patrimoine"],
    "es": ["la historia local", "la música popular", "el patrimonio", "la botánica"],
    "ar": ["التاريخ المحلي", "التراث", "الخرائط", "العلوم"],
}  # fmt: skip


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _names(entry) -> tuple[str, str]:
    """(display form, username form) of a name list entry."""
    return entry if isinstance(entry, tuple) else (entry, _ascii(entry))


@cache
def _cooked(bio: str) -> str:
    return str(render(bio))


def plan(count: int, now: datetime, taken: set[str]) -> list[dict]:
    """``count`` people as rows of ``user`` (without the password), the same every time;
    usernames in ``taken`` (lowercase) are avoided."""
    rng = random.Random(SEED)
    seen = set(taken)
    rows = []
    for n in range(count):
        locale, zone, firsts, lasts = rng.choices(NAMES, weights=SHARE)[0]
        first, first_id = _names(rng.choice(firsts))
        last, last_id = _names(rng.choice(lasts))
        username = f"{first_id}.{last_id}"
        suffix = 1
        while username in seen:
            suffix += 1
            username = f"{first_id}.{last_id}{suffix}"
        seen.add(username)
        level = LEVELS[n % len(LEVELS)]
        joined = now - timedelta(days=rng.randint(30, 730), minutes=rng.randint(0, 1439))
        language = locale or "en"
        bio = ""
        if rng.random() < 0.6:
            bio = rng.choice(BIOS[language]).format(city=rng.choice(CITIES),
                                                    topic=rng.choice(TOPICS[language]))  # fmt: skip
        rows.append({
            "username": username, "email": f"{username}@example.org",
            "display_name": f"{first} {last}", "trust_level": level, "locale": locale,
            "timezone": zone, "languages": sorted({language, "en"}),
            "affiliation": f"{rng.choice(CITIES)} chapter" if rng.random() < 0.4 else "",
            "bio": bio, "bio_html": _cooked(bio) if bio else "",
            "confirmed_at": joined, "created_at": joined, "updated_at": joined,
            "last_seen_at": now - timedelta(hours=rng.randint(1, 24 * 60)),
        })  # fmt: skip
    return rows


def _member_counts(rows: list[dict]) -> None:
    """Automatic groups hold everyone at their level or above (as ``create_user`` counts)."""
    for level in TrustLevel:
        added = sum(1 for row in rows if row["trust_level"] >= level)
        if added:
            db.session.execute(
                update(Group).where(Group.automatic_trust_level == level)
                .values(member_count=Group.member_count + added)
            )  # fmt: skip


def _join(name: str, user_ids: list[int]) -> None:
    group_id = db.session.scalar(select(Group.id).where(Group.name == name))
    if group_id is None or not user_ids:
        return
    db.session.execute(insert(Membership), [
        {"group_id": group_id, "user_id": user_id, "is_owner": False} for user_id in user_ids
    ])  # fmt: skip
    db.session.execute(
        update(Group).where(Group.id == group_id)
        .values(member_count=Group.member_count + len(user_ids))
    )  # fmt: skip


def add(count: int, password: str, now: datetime) -> int:
    """Add ``count`` generated people (password ``password``); returns how many."""
    if count <= 0:
        return 0
    taken = set(db.session.scalars(select(func.lower(User.username))))
    rows = plan(count, now, taken)
    hashed = User()
    hashed.set_password(password)  # once: hashing is slow on purpose
    for row in rows:
        row["password_hash"] = hashed.password_hash
    ids = list(db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True), rows))  # fmt: skip
    _member_counts(rows)
    levels = [row["trust_level"] for row in rows]
    _join("volunteers", [uid for n, uid in enumerate(ids) if n % 4 == 1])
    _join("organizers", [uid for uid, level in zip(ids, levels, strict=True)
                         if level >= TrustLevel.MEMBER][::12])  # fmt: skip
    return len(ids)
