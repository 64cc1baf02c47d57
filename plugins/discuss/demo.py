"""Discuss's demo content (``flask space demo``): categories (a Q&A one, a sub-category and a
private one for organizers), topics in English, French, Spanish and Arabic with threaded
replies, likes, bookmarks and accepted answers. Never commits.

Everything goes through the services, so counters, stats and notifications are right; then
dates are moved into the past (topics over the last weeks) and the search documents queued
again with them. The seconds between posts would refuse a script posting many times a second:
they are set to 0 while the demo runs and put back afterwards. ``size="large"`` adds
``demo_bulk``'s thousands of topics, written in bulk.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from flask import current_app, g, has_request_context
from sqlalchemy import func, select, update

from space.accounts import groups, services
from space.accounts.models import Group
from space.db import db, utcnow

from . import settings
from .models import Access, Bookmark, Category, Post, PostLike, PostRevision, Topic, UserStats
from .services import categories, indexing, posting, social, staff

INTERVALS = ("topic_interval", "post_interval", "newuser_topic_interval", "newuser_post_interval")

CATEGORIES = [
    # key, name, colour, description, options
    ("news", "Announcements", "#c92a2a", "News from the board and the Space team.",
     {"everyone": Access.REPLY, "board": Access.CREATE}),
    ("general", "General", "#0b7285", "Anything about our movement and its people.", {}),
    ("ask", "Ask the community", "#5f3dc4", "Questions and answers: mark the reply that "
     "solved your problem.", {"accepts_answers": True}),
    ("events", "Events & meetups", "#2b8a3e", "Edit-a-thons, sprints and gatherings.", {}),
    ("local", "Local meetups", "#74b816", "Monthly meetups, city by city.", {"parent": "events"}),
    ("organizers", "Organizers", "#e67700", "The organizers' back room: budgets, volunteers, "
     "logistics.", {"organizers": Access.CREATE}),
]  # fmt: skip

# Each topic: category, author, days ago, title, text, tags, replies (author, hours after the
# topic, post number answered or None, text), likes {post number: people}, an accepted answer,
# bookmarks (person, post number, name), pinned.
TOPICS = [
    dict(cat="news", by="admin", ago=40, pin=True, tags=["welcome"],
         title="Welcome to Space Discuss: start here",
         raw="Hello everyone! This is where our volunteers meet between events.\n\n"
             "- Say hello in **General**\n- Ask anything in **Ask the community**\n"
             "- Find edit-a-thons and meetups in **Events & meetups**\n\n"
             "Please read the code of conduct before your first post. Be kind, and have fun!",
         replies=[("member", 3, 1, "Thanks Amara! Happy to help anyone who is new here."),
                  ("newcomer", 30, 1, "Hi all, I just joined after the library edit-a-thon. "
                   "Glad to be here!"),
                  ("leader", 32, 3, "Welcome Noah! Ask us anything, there are no silly "
                   "questions.")],
         likes={1: ["member", "newcomer", "basic", "regular", "editor"], 3: ["leader"]},
         bookmarks=[("newcomer", 1, "Start here")]),
    dict(cat="news", by="leader", ago=12, tags=["newcomers"],
         title="إطلاق برنامج الإرشاد للمتطوعين الجدد",
         raw="يسعدنا أن نعلن عن برنامج إرشاد جديد: يرافق كل متطوع جديد متطوعٌ ذو خبرة خلال "
             "شهره الأول. إذا كنت ترغب في أن تكون مرشدًا، فاكتب ردًا هنا.",
         replies=[("editor", 5, 1, "Excellente idée ! Je peux accompagner des francophones, "
                   "surtout pour les premiers articles."),
                  ("regular", 9, None, "Count me in as a mentor for English speakers.")],
         likes={1: ["editor", "regular", "member"], 2: ["leader"]}),
    dict(cat="general", by="regular", ago=38, tags=["welcome", "newcomers"],
         title="Introduce yourself: who are you and what brings you here?",
         raw="I'm Sofia from the Stockholm chapter. I run photo walks for Commons and love "
             "maps. Tell us where you are and what you'd like to work on!",
         replies=[("basic", 20, 1, "¡Hola! Soy Lucía, de Buenos Aires. Me interesa traducir "
                   "guías para personas nuevas."),
                  ("editor", 26, None, "Bonjour ! Claire, de Paris. J'édite le blog : "
                   "proposez-moi vos récits d'événements."),
                  ("newcomer", 50, 1, "Noah here, a student in Leeds. I'd like to learn how "
                   "to cite sources properly."),
                  ("regular", 52, 4, "Welcome Noah! Have a look at the citation questions "
                   "in Ask the community.")],
         likes={1: ["basic", "newcomer"], 2: ["regular", "moderator"], 4: ["regular"]}),
    dict(cat="general", by="editor", ago=25, tags=["translation"],
         title="Quel outil utilisez-vous pour traduire les pages d'aide ?",
         raw="Nous traduisons les pages d'aide à la main, page par page. Avez-vous des outils "
             "à conseiller pour garder les traductions à jour quand l'original change ?",
         replies=[("leader", 4, 1, "On utilise une mémoire de traduction partagée : ça évite "
                   "de tout retraduire à chaque modification."),
                  ("regular", 6, 2, "Same here. A glossary of our own terms helped a lot too."),
                  ("editor", 8, 3, "Merci ! Je vais lancer un glossaire commun cette semaine.")],
         likes={2: ["editor", "member"], 3: ["editor"]},
         bookmarks=[("member", 2, "Translation memory tip")]),
    dict(cat="general", by="member", ago=18, tags=["accessibility", "meetup"],
         title="Ideas for making our meetups more accessible",
         raw="What have you tried to make meetups welcoming to everyone? Step-free venues, "
             "captions for remote people, quiet rooms… share what worked for you.",
         replies=[("moderator", 2, 1, "We publish the venue's access details with every "
                   "invitation, and ask people what they need when they register."),
                  ("regular", 7, None, "Live captions for hybrid sessions made a big "
                   "difference for us."),
                  ("member", 9, 2, "Great idea, Mateo. I'll add it to our event template.")],
         likes={2: ["member", "regular", "leader"], 3: ["member"]}),
    dict(cat="ask", by="newcomer", ago=15, tags=["photos", "newcomers"],
         title="How do I upload photos from our edit-a-thon?",
         raw="We took lots of pictures at the library edit-a-thon. How do I upload them, and "
             "what licence should I choose?",
         replies=[("member", 2, 1, "Use the upload wizard, one batch per event, and choose a "
                   "free licence such as CC BY-SA 4.0. Ask people's consent before uploading "
                   "photos where they can be recognized."),
                  ("regular", 4, 2, "Tip: add the event's category to every photo so that "
                   "they are easy to find later."),
                  ("newcomer", 6, 2, "That worked, thank you both!")],
         accept=2, likes={2: ["newcomer", "regular"], 3: ["newcomer"]},
         bookmarks=[("newcomer", 2, "Photo licences")]),
    dict(cat="ask", by="basic", ago=11, tags=["translation"],
         title="¿Cómo cito una fuente que está en otro idioma?",
         raw="Estoy escribiendo un artículo y la mejor fuente está en portugués. ¿Puedo "
             "usarla? ¿Tengo que traducir la cita?",
         replies=[("moderator", 3, 1, "¡Sí, puedes! Cita la fuente original e indica el "
                   "idioma. Si copias una frase, añade tu traducción entre paréntesis."),
                  ("basic", 5, 2, "¡Gracias, Mateo! Muy claro.")],
         accept=2, likes={2: ["basic", "editor"]}),
    dict(cat="ask", by="editor", ago=9, tags=["edit-a-thon", "paris"],
         title="Premier edit-a-thon à Paris : vos conseils pour l'organiser ?",
         raw="J'organise mon premier edit-a-thon en juin. Combien de temps prévoir, combien "
             "de personnes pour l'accueil, et comment aider les débutants ?",
         replies=[("leader", 6, 1, "Prévois trois heures, une personne d'accueil pour dix "
                   "participants et une liste d'articles à améliorer préparée à l'avance."),
                  ("regular", 10, 2, "And name badges with everyone's username: it makes "
                   "helping each other much easier.")],
         likes={2: ["editor", "regular"]}),
    dict(cat="ask", by="leader", ago=7, tags=["translation"],
         title="ما هي أفضل طريقة لتنظيم سباق ترجمة عبر الإنترنت؟",
         raw="نخطط لسباق ترجمة عبر الإنترنت لمدة يومين. كيف نوزع الصفحات على المشاركين "
             "ونتجنب أن يترجم شخصان الصفحة نفسها؟",
         replies=[("regular", 4, 1, "A shared sign-up sheet where each person claims a page "
                   "before starting works well. Short check-in calls every few hours keep "
                   "people motivated."),
                  ("leader", 6, 2, "شكرًا سوفيا! سنستخدم جدول التسجيل المشترك.")],
         accept=2, likes={2: ["leader", "member"]}),
    dict(cat="events", by="editor", ago=20, tags=["edit-a-thon", "paris"],
         title="Edit-a-thon « Femmes de science », Paris, 14 juin",
         raw="Rendez-vous à la médiathèque de 14 h à 18 h pour améliorer les biographies de "
             "scientifiques. Débutants bienvenus, ordinateurs disponibles sur place.",
         replies=[("basic", 12, 1, "¡Qué buena idea! ¿Se podrá participar a distancia?"),
                  ("editor", 14, 2, "Oui ! Un lien de visio sera envoyé aux inscrits."),
                  ("member", 20, None, "I'll join online and help with references.")],
         likes={1: ["basic", "member", "leader", "regular"], 3: ["basic"]},
         bookmarks=[("basic", 1, "Paris, 14 juin")]),
    dict(cat="events", by="regular", ago=14, tags=["translation"],
         title="Translation sprint: help pages into Spanish, Arabic and French",
         raw="Next weekend we translate the ten most-read help pages. Pick a page in the "
             "sheet and reply here with your language so we can pair reviewers.",
         replies=[("moderator", 3, 1, "Me apunto para el español, y reviso las traducciones "
                   "de Lucía."),
                  ("leader", 5, 1, "سأتولى الترجمة إلى العربية مع فريق بيروت."),
                  ("editor", 6, 1, "Je prends le français avec deux bénévoles de Lyon."),
                  ("regular", 8, None, "Amazing, all three languages covered. Thank you!")],
         likes={1: ["moderator", "leader", "editor"], 5: ["leader", "editor"]}),
    dict(cat="local", by="moderator", ago=10, tags=["meetup", "madrid"],
         title="Encuentro mensual en Madrid: café y edición",
         raw="Como cada primer sábado, nos vemos en la biblioteca del barrio a las 11. "
             "Traed vuestro portátil y vuestras ideas.",
         replies=[("basic", 6, 1, "¡Ojalá pudiera ir! Desde Buenos Aires os mando ánimo."),
                  ("regular", 9, None, "Enjoy! Please share some photos afterwards.")],
         likes={1: ["basic", "regular"]}),
    dict(cat="local", by="leader", ago=5, tags=["meetup", "beirut", "photos"],
         title="لقاء بيروت الشهري: ورشة تصوير للمعالم التراثية",
         raw="ندعوكم إلى ورشة تصوير للمباني التراثية في وسط المدينة يوم السبت، ثم نرفع الصور "
             "معًا بعد الظهر.",
         replies=[("editor", 4, 1, "Superbe initiative ! Partagez la catégorie des photos."),
                  ("admin", 7, 1, "Great idea, Yusuf. Tag the photos so we can feature "
                   "them on the blog.")],
         likes={1: ["editor", "admin", "regular"]}),
    dict(cat="organizers", by="leader", ago=8, tags=["edit-a-thon"],
         title="Budget request for the autumn edit-a-thon series",
         raw="Draft budget for four edit-a-thons: venues are free, we need about 600 € for "
             "snacks, travel support and printed guides. Comments before Friday, please.",
         replies=[("regular", 5, 1, "Looks reasonable. Could we add childcare support?"),
                  ("editor", 8, 2, "D'accord avec Sofia, c'est important pour les parents."),
                  ("admin", 12, None, "Approved by the board, childcare included.")],
         likes={2: ["editor", "leader"], 4: ["leader", "regular"]},
         bookmarks=[("editor", 1, "Budget automne")]),
    dict(cat="organizers", by="editor", ago=3, tags=[],
         title="Bénévoles pour l'accueil du 14 juin (interne)",
         raw="Voici la liste des personnes d'accueil pour l'edit-a-thon de Paris. Merci de ne "
             "pas la partager en dehors des organisateurs.",
         replies=[("leader", 2, 1, "Merci Claire, je peux aider à distance pour les "
                   "questions techniques.")]),
]  # fmt: skip


@contextmanager
def intervals_off():
    """Seconds between posts set to 0 while the demo posts, then put back."""
    before = {name: settings.value(name) for name in INTERVALS}
    for name in INTERVALS:
        settings.put(name, 0)
    try:
        yield
    finally:
        for name, value in before.items():
            settings.put(name, value)


@contextmanager
def request_caches():
    """Outside requests (the command), give settings, categories and permissions their
    per-request caches, as on a page; what they left in ``g`` is dropped afterwards."""
    if has_request_context():
        yield
        return
    known = set(g)
    try:
        with current_app.test_request_context():
            yield
    finally:
        for name in set(g) - known:
            g.pop(name, None)


def _categories() -> dict[str, Category]:
    named = {name: groups.by_name(name) for name in ("board", "organizers")}
    # The automatic group of trust level 0 stands for everyone, anonymous readers too.
    named["everyone"] = db.session.scalar(select(Group).where(Group.automatic_trust_level == 0))
    found: dict[str, Category] = {}
    for key, name, color, description, options in CATEGORIES:
        options = dict(options)
        parent = found.get(options.pop("parent", ""))
        qa = options.pop("accepts_answers", False)
        permissions = {named[group]: level for group, level in options.items()}
        found[key] = categories.create_category(
            name=name, description=description, color=color, parent=parent,
            accepts_answers=qa, permissions=permissions,
        )  # fmt: skip
    return found


def _backdate(post: Post, when) -> None:
    db.session.execute(update(Post).where(Post.id == post.id).values(created_at=when))
    db.session.execute(
        update(PostRevision).where(PostRevision.post_id == post.id)
        .values(created_at=when, updated_at=when)
    )  # fmt: skip


def _topic(spec: dict, people, found: dict[str, Category], now) -> Topic:
    start = now - timedelta(days=spec["ago"])
    topic = posting.create_topic(people[spec["by"]], found[spec["cat"]], spec["title"],
                                 spec["raw"], spec.get("tags", []))  # fmt: skip
    posts = {1: db.session.scalar(select(Post).where(Post.topic_id == topic.id))}
    _backdate(posts[1], start)
    last = start
    for by, hours, reply_to, raw in spec.get("replies", []):
        post = posting.create_post(people[by], topic, raw, reply_to)
        last = start + timedelta(hours=hours)
        _backdate(post, last)
        posts[post.post_number] = post
    db.session.execute(
        update(Topic).where(Topic.id == topic.id)
        .values(created_at=start, bumped_at=last, last_posted_at=last)
    )  # fmt: skip
    for number, likers in spec.get("likes", {}).items():
        for who in likers:
            social.like(people[who], posts[number])
    db.session.execute(
        update(PostLike).where(PostLike.post_id.in_([p.id for p in posts.values()]))
        .values(created_at=last + timedelta(hours=1))
    )  # fmt: skip
    for who, number, name in spec.get("bookmarks", []):
        social.bookmark(people[who], posts[number], name=name)
    db.session.execute(
        update(Bookmark).where(Bookmark.post_id.in_([p.id for p in posts.values()]))
        .values(created_at=last + timedelta(hours=2))
    )  # fmt: skip
    if spec.get("accept"):
        social.accept_answer(people[spec["by"]], posts[spec["accept"]])
    if spec.get("pin"):
        staff.pin(people["admin"], topic)
    return topic


def _fix_dates(topics: list[Topic]) -> None:
    """Categories' last post and people's first post follow the backdated posts."""
    for category in db.session.scalars(select(Category)):
        last = db.session.scalar(
            select(func.max(Topic.last_posted_at)).where(Topic.category_id == category.id)
        )
        category.last_posted_at = last
    firsts = db.session.execute(select(Post.user_id, func.min(Post.created_at)).group_by(
        Post.user_id))  # fmt: skip
    for user_id, first in firsts:
        row = db.session.get(UserStats, user_id)
        if row is not None:
            row.first_post_at = first


def load(size: str = "small", options=None) -> dict:
    """Create the demo discussions (the core's demo people and groups must exist); the
    large size adds ``demo_bulk``'s (``options.posts`` posts, about 20 per topic). Returns
    how to count topics and posts, for the summary."""
    people = {name: services.by_username(name) for name in
              ("admin", "moderator", "editor", "leader", "regular", "member", "basic",
               "newcomer")}  # fmt: skip
    if any(person is None for person in people.values()):
        return {}
    now = utcnow()
    with request_caches(), intervals_off():
        found = _categories()
        # Tags exist before topics, as if a regular had created them.
        for name in sorted({t for spec in TOPICS for t in spec.get("tags", [])}):
            posting.resolve_tags([name], may_create=True)
        topics = [_topic(spec, people, found, now) for spec in TOPICS]
        if size == "large":
            from . import demo_bulk

            posts = getattr(options, "posts", None) or demo_bulk.POSTS
            demo_bulk.build(found, now, topics=max(1, posts // demo_bulk.POSTS_PER_TOPIC),
                            posts=posts)  # fmt: skip
    _fix_dates(topics)
    db.session.flush()
    indexing.queue_topics(topics)
    return {"topics": select(func.count(Topic.id)), "posts": select(func.count(Post.id))}
