"""The events of the demo (``demo.py``): who organizes what, where, when (days from today,
wall-clock hours in the city's zone), how it repeats, who registers, and the reports of a
few past ones. Cities are names the offline gazetteer knows.

Each event: ``key``, ``by`` (a demo username), ``title``, ``city`` (None: online, then
``zone``), ``days`` (from today; negative: over), ``hours`` (start, end), ``type``, ``mode``,
``languages``, ``text``; optional ``capacity``, ``repeat`` (a ``Repeat``'s arguments),
``weekday`` (with ``days`` None: the first date is the next such weekday, 0 Monday),
``going``/``interested``/``not_going`` (usernames, in the order they answered; going beyond
the capacity waits), ``private`` (a group's name), ``cancel`` (a reason), ``cancel_nth`` (an
occurrence cancelled: its index and reason), ``status``, ``all_day_days``, ``registration``,
``report`` (attendance, text, links), ``with`` (co-organizers).
"""

from __future__ import annotations

MEET = "https://meet.example.org/"

EVENTS = [
    # --- coming up ---------------------------------------------------------------------------
    dict(key="stockholm-walk", by="regular", title="Photo walk for Commons: Gamla stan",
         city="Stockholm", days=6, hours=(10, 13), type="meetup", mode="in_person",
         languages=["sv", "en"], capacity=12, venue="Stortorget", address="Stortorget 1",
         text="We walk through the old town and photograph **listed buildings** that still "
              "lack a good picture. Bring a camera or a phone; we upload together afterwards.",
         going=["member", "newcomer"], interested=["basic"]),
    dict(key="nairobi-editathon", by="leader", title="Women in science edit-a-thon",
         city="Nairobi", days=12, hours=(9, 16), type="editathon", mode="in_person",
         languages=["en", "sw"], capacity=3, venue="iHub", address="Senteu Plaza, Galana Rd",
         text="A day to write and improve biographies of Kenyan women scientists. Laptops "
              "and lunch provided; newcomers welcome.",
         going=["regular", "member", "basic", "newcomer", "editor"], interested=["admin"],
         **{"with": ["member"]}),
    dict(key="sao-paulo-workshop", by="basic", title="Oficina de edição para iniciantes",
         city="São Paulo", days=9, hours=(14, 17), type="training", mode="hybrid",
         languages=["pt", "es"], venue="Biblioteca Mário de Andrade",
         address="Rua da Consolação, 94",
         text="Uma tarde para aprender a editar: contas, referências e boas práticas. "
              "Participe presencialmente ou pela internet.",
         going=["member", "regular"], interested=["leader"]),
    dict(key="tokyo-monthly", by="member", title="Tokyo monthly meetup",
         city="Tokyo", days=None, hours=(19, 21), type="meetup", mode="in_person",
         languages=["ja", "en"], venue="Shibuya community room",
         repeat=dict(frequency="monthly", count=12, second_tuesday=True),
         text="Every second Tuesday of the month: news from the projects, a short talk and "
              "time to edit together. 毎月第二火曜日に集まります。",
         going=["regular", "newcomer"], interested=["editor"]),
    dict(key="sydney-online-hour", by="regular", title="Online editing hour (Australia)",
         city=None, zone="Australia/Sydney", days=None, weekday=1, hours=(19, 20), type="online",
         mode="online", languages=["en"], repeat=dict(frequency="weekly", count=20),
         cancel_nth=(2, "Public holiday: no session this week."),
         text="An hour of editing together, every Tuesday evening Sydney time. Drop in with "
              "a question or an article you are working on.",
         going=["member", "basic"], interested=["newcomer", "leader"]),
    dict(key="new-york-conference", by="admin", title="WikiConference North America",
         city="New York", days=40, hours=(0, 0), all_day_days=2, type="conference",
         mode="hybrid", languages=["en", "es"], capacity=200, venue="Public Library",
         address="476 5th Ave",
         text="Two days of talks, workshops and hallway conversations about free knowledge. "
              "Sessions are streamed for remote attendees.",
         going=["leader", "regular", "editor", "member"], interested=["basic", "moderator"]),
    dict(key="cairo-training", by="leader", title="تدريب على تحرير ويكيبيديا العربية",
         city="Cairo", days=15, hours=(17, 20), type="training", mode="in_person",
         languages=["ar"], venue="مكتبة القاهرة الكبرى",
         text="ورشة عملية للمبتدئين: إنشاء حساب، كتابة مقالة أولى، وإضافة المراجع.",
         going=["moderator"], interested=["member"]),
    dict(key="berlin-board", by="leader", title="Board retreat: planning next year",
         city="Berlin", days=21, hours=(10, 17), type="meetup", mode="in_person",
         languages=["en"], private="board", venue="Hotel Adlon, meeting room 2",
         text="The board's yearly retreat: budget, priorities and the events calendar.",
         going=["moderator"]),
    dict(key="berlin-hackathon", by="admin", title="Berlin community hackathon",
         city="Berlin", days=20, hours=(10, 18), type="other", mode="in_person",
         languages=["de", "en"], venue="c-base", address="Rungestraße 20",
         cancel="The venue is no longer available; we will announce a new date.",
         text="Tools, bots and gadgets for editors: bring your ideas.",
         going=["member", "regular"], interested=["basic"]),
    dict(key="mumbai-sprint", by="member", title="Translation sprint: health articles",
         city="Mumbai", days=25, hours=(11, 16), type="editathon", mode="in_person",
         languages=["hi", "mr", "en"], status="tentative", venue="Community library, Dadar",
         text="Translating essential health articles into Hindi and Marathi. The date is not "
              "final yet: register your interest.",
         interested=["regular", "leader", "basic"]),
    dict(key="mexico-workshop", by="basic", title="Taller: cómo citar fuentes",
         city="Mexico City", days=18, hours=(16, 19), type="training", mode="in_person",
         languages=["es"], capacity=2, venue="Biblioteca Vasconcelos",
         text="Aprende a encontrar buenas fuentes y a citarlas correctamente.",
         going=["moderator", "leader", "regular"], interested=["newcomer"]),
    dict(key="paris-permanence", by="editor", title="Permanence Wikipédia à Paris",
         city="Paris", days=4, hours=(18, 20), type="meetup", mode="in_person",
         languages=["fr"], venue="Médiathèque", repeat=dict(frequency="weekly", interval=2,
                                                            until_days=120),
         text="Toutes les deux semaines, venez poser vos questions et éditer avec nous.",
         going=["leader"], interested=["member"]),
    dict(key="lagos-meetup", by="leader", title="Lagos community meetup",
         city="Lagos", days=30, hours=(15, 18), type="meetup", mode="in_person",
         languages=["en", "yo"], venue="Freedom Park", address="Broad Street",
         text="Meet the Lagos community: a year of projects, and what comes next.",
         going=["member", "basic"]),
    dict(key="global-call", by="admin", title="Global community call: the annual plan",
         city=None, zone="UTC", days=3, hours=(14, 15), type="online", mode="online",
         languages=["en", "fr", "es", "ar"], registration=False,
         text="The annual plan explained, with time for questions. Interpretation in French, "
              "Spanish and Arabic."),
    # --- over --------------------------------------------------------------------------------
    dict(key="stockholm-editathon", by="regular", title="Library edit-a-thon: local history",
         city="Stockholm", days=-20, hours=(10, 16), type="editathon", mode="in_person",
         languages=["sv", "en"], venue="Stadsbiblioteket", going=["member", "basic", "newcomer"],
         text="Improving articles about the city's history with the library's archives.",
         report=(18, "We improved **34 articles** and created 6 new ones, with sources from the "
                 "library's local history collection. Three participants edited for the first "
                 "time.", ["https://example.org/stockholm-editathon/results"])),
    dict(key="lagos-photos", by="leader", title="Lagos photo walk", city="Lagos", days=-45,
         hours=(9, 12), type="meetup", mode="in_person", languages=["en"],
         going=["member", "regular"],
         text="Photographing the markets and monuments of Lagos Island.",
         report=(11, "240 photos uploaded to Commons, 60 of them already used in articles.",
                 ["https://example.org/lagos-photo-walk"])),
    dict(key="citing-sources", by="member", title="Online training: citing sources",
         city=None, zone="Asia/Tokyo", days=-10, hours=(20, 21), type="online", mode="online",
         languages=["en", "ja"], going=["newcomer", "basic"], interested=["regular"],
         text="How to find and cite reliable sources, with examples.",
         report=(23, "23 people joined. The slides and the recording are online.",
                 ["https://example.org/citing-sources/slides"])),
    dict(key="paris-meetup", by="editor", title="Rencontre des contributeurs parisiens",
         city="Paris", days=-60, hours=(19, 22), type="meetup", mode="in_person",
         languages=["fr"], going=["leader"],
         text="Une soirée pour se rencontrer et parler des projets de l'année."),
    dict(key="mumbai-meetup", by="member", title="Mumbai meetup", city="Mumbai", days=-90,
         hours=(17, 19), type="meetup", mode="in_person", languages=["en", "mr"],
         going=["regular"], text="Our first meetup in Mumbai."),
]  # fmt: skip

# The large demo's events are made from these.
BULK_CITIES = [
    "Stockholm", "Oslo", "Helsinki", "Berlin", "Paris", "Madrid", "Lisbon", "Rome", "Warsaw",
    "Athens", "Istanbul", "Cairo", "Lagos", "Accra", "Nairobi", "Addis Ababa", "Johannesburg",
    "Kinshasa", "Dakar", "Casablanca", "Beirut", "Tehran", "Karachi", "Mumbai", "Delhi",
    "Dhaka", "Kathmandu", "Colombo", "Bangkok", "Jakarta", "Manila", "Hanoi", "Seoul", "Tokyo",
    "Taipei", "Sydney", "Melbourne", "Auckland", "Santiago", "Buenos Aires", "São Paulo",
    "Lima", "Bogotá", "Mexico City", "Havana", "New York", "Chicago", "Toronto", "Vancouver",
    "San Francisco",
]  # fmt: skip
BULK_TITLES = [
    "{city} edit-a-thon #{n}", "{city} monthly meetup #{n}", "Photo walk in {city} (#{n})",
    "Training for newcomers in {city} #{n}", "{city} translation sprint #{n}",
    "Open data day in {city} #{n}", "Library workshop, {city} #{n}",
]  # fmt: skip
BULK_TEXTS = [
    "We meet, we edit, we talk. Newcomers are welcome: bring a laptop.",
    "A walk to photograph monuments and places that lack pictures.",
    "A short training on editing, sources and our policies, then practice.",
    "Translating articles together, with experienced translators to help.",
    "An afternoon of talks and editing with the local community.",
]
BULK_ONLINE_ZONES = ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata",
                     "Australia/Sydney", "Africa/Nairobi"]  # fmt: skip
