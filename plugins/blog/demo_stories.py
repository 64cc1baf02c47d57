"""The texts of the blog's demo content (``demo.py`` builds the stories from them).

Each story: a key, the writer (a core demo username), category key, tags, language, title,
excerpt (50 to 300 characters, the checklist's defaults) and a markdown body.
"""

from __future__ import annotations

CATEGORIES = [
    # key, name, description
    ("events", "Events", "Edit-a-thons, sprints, meetups and gatherings, told by the people "
     "who ran them."),
    ("community", "Community", "How we welcome, mentor, moderate and look after each other."),
    ("technology", "Technology", "Tools, kits and tricks that make volunteering easier."),
    ("affiliates", "Stories from affiliates", "News from chapters and user groups around the "
     "world, in their own words."),
]  # fmt: skip

PUBLISHED = [
    dict(key="hybrid", by="regular", cat="events", lang="en", ago=34,
         tags=["edit-a-thon", "hybrid", "accessibility"],
         title="What we learned from our first hybrid edit-a-thon",
         excerpt="Forty people in the room, twenty-five online and one very tired projector: "
                 "the Stockholm chapter looks back at its first hybrid edit-a-thon and shares "
                 "what it would do again.",
         body="""## Why hybrid

Half of the people who signed up for our spring edit-a-thon could not travel to Stockholm.
Rather than turning them away, we tried to run the day **in the room and online at once**.

## What worked

- A second facilitator who looked *only* after the people online.
- One shared list of articles to improve, with a column saying who was on which.
- Live captions, which helped far more people than we expected.

## What we would change

1. Test the microphones with someone at home, not in the next room.
2. Give online participants their own ten-minute welcome before the main one.
3. Plan breaks at the same time for everyone, whatever their time zone.

Our checklist is on the [chapter's page](https://example.org/stockholm/hybrid-checklist):
copy it, improve it and tell us what you changed.
"""),
    dict(key="mentoring", by="member", cat="community", lang="en", ago=27,
         tags=["newcomers", "mentoring"],
         title="Mentoring newcomers: ten lessons from a year of pairing",
         excerpt="For a year, every newcomer who asked was paired with a volunteer for their "
                 "first month. Here is what the pairs taught us about welcoming people who "
                 "are new to the movement.",
         body="""## How the programme works

Newcomers ask for a mentor when they join; a mentor who speaks their language answers within
two days and meets them once a week for a month.

## The lessons

1. The first answer matters more than the best answer.
2. Talk about *why* before *how*.
3. Celebrate the first edit, however small.
4. Share your own first mistakes.
5. Introduce people to others, not only to pages.

And five more in the [full report](https://example.org/mentoring-report).

## Want to help?

Write to the mentoring team or reply in the discussion below.
"""),
    dict(key="femmes", by="editor", cat="events", lang="fr", ago=22,
         tags=["edit-a-thon", "paris"],
         title="Femmes de science : retour sur l'edit-a-thon de la médiathèque",
         excerpt="Vingt-huit biographies créées ou enrichies en un après-midi : retour sur "
                 "l'edit-a-thon « Femmes de science » organisé à Paris, avec les conseils des "
                 "bibliothécaires qui nous ont accueillis.",
         body="""## Une après-midi bien remplie

Nous étions **trente-deux**, dont douze personnes qui n'avaient jamais contribué. La
médiathèque avait préparé une sélection d'ouvrages sur les chercheuses du XXe siècle.

## Ce qui a fonctionné

- Une liste de biographies à créer, préparée à l'avance avec les bibliothécaires ;
- des binômes débutant·e et habitué·e ;
- un goûter à 16 h, indispensable.

## La suite

Un deuxième rendez-vous est prévu à l'automne. Les photos de la journée sont sur
[la page de l'événement](https://example.org/paris/femmes-de-science).
"""),
    dict(key="bibliotecas", by="basic", cat="affiliates", lang="es", ago=18,
         tags=["libraries", "buenos-aires"],
         title="Buenos Aires: las bibliotecas populares llegan a la red",
         excerpt="Tres bibliotecas populares de Buenos Aires abrieron sus archivos para que "
                 "voluntarios los describan y compartan. Lucía cuenta cómo empezó el proyecto "
                 "y qué viene ahora.",
         body="""## Cómo empezó

Todo comenzó con una pregunta en una reunión del barrio: *¿quién conoce la historia de
nuestra biblioteca?* Nadie tenía la respuesta completa, pero los archivos sí.

## Lo que hicimos

- Fotografiamos más de **300 documentos** con permiso de las bibliotecas;
- escribimos fichas para cada biblioteca;
- organizamos dos talleres para vecinos y vecinas.

## Próximos pasos

Queremos sumar cinco bibliotecas más este año. Si te interesa, escribe en la
[página del proyecto](https://example.org/bibliotecas-populares).
"""),
    dict(key="beirut", by="leader", cat="affiliates", lang="ar", ago=15,
         tags=["photos", "beirut", "heritage"],
         title="بيروت: توثيق التراث المعماري بالصور",
         excerpt="خرج فريق بيروت في جولة تصوير للمباني التراثية في وسط المدينة، ورفع أكثر من "
                 "مئتي صورة بترخيص حر. إليكم ما تعلمناه وكيف يمكنكم المشاركة.",
         body="""## الفكرة

كثير من المباني القديمة في بيروت لا توجد لها صور حرة. قررنا أن نصورها قبل أن تتغير.

## ما أنجزناه

- جولتان في الأحياء القديمة مع **خمسة عشر** متطوعًا؛
- أكثر من مئتي صورة مرفوعة بترخيص حر؛
- قائمة بالمباني التي ما زالت تحتاج إلى صور.

## شاركوا معنا

الجولة القادمة في الشهر المقبل. التفاصيل على [صفحة المشروع](https://example.org/beirut-heritage).
"""),
    dict(key="glossary", by="regular", cat="technology", lang="en", ago=12,
         tags=["translation", "tools"],
         title="A shared glossary for translators: how we built it",
         excerpt="Every language team kept its own list of terms, and they disagreed. We "
                 "merged them into one shared glossary that translation tools can read; here "
                 "is how, and how to add your language.",
         body="""## The problem

The same word was translated three ways in three help pages. Readers noticed.

## What we built

A single table with one row per term and one column per language, kept in a shared sheet
and exported every night in a format that translation tools understand.

- **Terms** are proposed by anyone and approved by two translators.
- **Notes** explain when *not* to use a term.

## Add your language

Copy the [template column](https://example.org/glossary) and tell the translation team.
"""),
    dict(key="offline", by="member", cat="technology", lang="en", ago=8,
         tags=["tools", "offline"],
         title="Offline editing kits for places with patchy internet",
         excerpt="A laptop, a copy of the most-read articles and a way to send edits later: "
                 "our offline kits let volunteers keep working where the connection comes and "
                 "goes. Here is what is inside.",
         body="""## What is in a kit

- A refurbished laptop with a local copy of the **ten thousand** most-read articles;
- a tool that queues edits and sends them when the connection returns;
- a printed guide in four languages.

## Where they went

Twelve kits travelled to schools and libraries this year. Read the
[field reports](https://example.org/offline-kits) to see how they were used.
"""),
    dict(key="moderar", by="moderator", cat="community", lang="es", ago=5,
         tags=["moderation", "code-of-conduct"],
         title="Moderar con amabilidad: nuestro código de conducta en la práctica",
         excerpt="Moderar no es castigar. Mateo explica cómo el equipo de moderación aplica "
                 "el código de conducta: recordatorios amables primero, decisiones claras "
                 "cuando hace falta.",
         body="""## Primero, hablar

La mayoría de los problemas se resuelven con un mensaje privado y amable. Solo una minoría
necesita algo más.

## Cuando hace falta decidir

1. Leemos el contexto completo, no solo el mensaje señalado.
2. Explicamos la decisión y cómo recurrirla.
3. Registramos todo para que otra persona del equipo pueda revisarlo.

## Tu papel

Si ves algo que no respeta el [código de conducta](https://example.org/coc), usa el botón
**denunciar**: lo leemos todo.
"""),
    dict(key="sprint", by="leader", cat="events", lang="ar", ago=3,
         tags=["translation", "sprint"],
         title="سباق الترجمة: يومان وأربعون صفحة",
         excerpt="في يومين فقط، ترجم متطوعون من بيروت والقاهرة وعمّان أربعين صفحة مساعدة إلى "
                 "العربية. نشارككم طريقة التنظيم التي جعلت ذلك ممكنًا.",
         body="""## التنظيم

وزعنا الصفحات مسبقًا في جدول مشترك، واختار كل مشارك صفحة قبل أن يبدأ.

## النتائج

- **أربعون** صفحة مترجمة ومراجعة؛
- ثلاثة مراجعين لكل فريق؛
- مسرد مشترك للمصطلحات.

## المرة القادمة

نخطط لسباق جديد في الخريف. سجلوا أسماءكم على [صفحة السباق](https://example.org/sprint).
"""),
]  # fmt: skip

# Translations of published stories: (source key, translator, language, title, excerpt, body).
# "hybrid" stays up to date; "mentoring" is edited after it was translated (outdated).
TRANSLATIONS = [
    dict(source="hybrid", by="editor", lang="fr",
         title="Ce que nous a appris notre premier edit-a-thon hybride",
         excerpt="Quarante personnes dans la salle, vingt-cinq en ligne et un vidéoprojecteur "
                 "épuisé : le groupe de Stockholm revient sur son premier edit-a-thon hybride "
                 "et partage ce qu'il referait.",
         body="""## Pourquoi l'hybride

La moitié des inscrits ne pouvaient pas venir à Stockholm. Plutôt que de les refuser, nous
avons organisé la journée **dans la salle et en ligne à la fois**.

## Ce qui a marché

- Une deuxième animatrice qui s'occupait *uniquement* des personnes en ligne ;
- une seule liste d'articles à améliorer, avec une colonne « qui fait quoi » ;
- le sous-titrage en direct, utile à bien plus de monde que prévu.

## Ce que nous changerions

1. Tester les micros avec quelqu'un chez soi, pas dans la pièce voisine.
2. Accueillir les participants en ligne dix minutes avant les autres.
3. Prévoir les pauses au même moment pour tout le monde.

Notre liste de contrôle est sur [la page du groupe](https://example.org/stockholm/hybrid-checklist).
"""),
    dict(source="mentoring", by="basic", lang="es",
         title="Mentorías para recién llegados: diez lecciones de un año en parejas",
         excerpt="Durante un año, cada persona recién llegada que lo pidió tuvo un mentor "
                 "durante su primer mes. Esto es lo que las parejas nos enseñaron sobre cómo "
                 "dar la bienvenida.",
         body="""## Cómo funciona el programa

Quien llega pide un mentor; alguien que habla su idioma responde en dos días y se reúne con
esa persona una vez por semana durante un mes.

## Las lecciones

1. La primera respuesta importa más que la mejor respuesta.
2. Habla del *porqué* antes del *cómo*.
3. Celebra la primera edición, por pequeña que sea.
4. Comparte tus propios primeros errores.
5. Presenta a la gente a otras personas, no solo a páginas.

Y cinco más en el [informe completo](https://example.org/mentoring-report).
"""),
]  # fmt: skip

# Added to "mentoring" after its translation was made: the Spanish one is outdated.
MENTORING_UPDATE = """
## Update: the second year

After this story was published, forty more volunteers offered to mentor. From next month,
newcomers can also ask for a mentor **for a specific project**, such as photography or
translation, and not only for their first month.
"""

# One story in every other status (see ``demo.py``).
EDITORIAL = dict(
    pitch=dict(by="newcomer", lang="en", title="A walking tour of Leeds' lost cinemas",
               what="Students in Leeds are photographing the buildings that used to be "
                    "cinemas and writing their history.",
               why="It shows how newcomers start contributing through something they love.",
               who="Six students and the local history society.", length=900),
    declined=dict(by="basic", lang="es", title="Mi gato y la enciclopedia",
                  what="Una historia sobre mi gato, que se sienta en el teclado cuando edito.",
                  why="Es divertida.", who="Mi gato.", length=300,
                  note="¡Nos encanta tu gato! Pero el blog cuenta historias del movimiento; "
                       "¿por qué no escribes sobre el taller de citas que organizaste?"),
    draft=dict(by="member", cat="events", lang="en", tags=["photos"],
               title="Photographing street art responsibly",
               what="A guide to photographing murals: permissions, credits and licences.",
               why="Many newcomers upload street art without knowing the rules.",
               who="Our photo walk organizers.", length=1200,
               excerpt="Murals make wonderful pictures, but who owns them? A short guide to "
                       "photographing street art: when you may share it and how to credit the "
                       "artists.",
               body="## Before you shoot\n\nCheck whether your country allows sharing photos "
                    "of art in public places.\n\n## Credit the artist\n\n- Name the artist "
                    "when known.\n- Link to their page."),
    in_review=dict(by="regular", cat="events", lang="en", tags=["maps", "stockholm"],
                   title="Maps for everyone: our first mapathon in Stockholm",
                   excerpt="Thirty volunteers, six hours and four hundred buildings traced: "
                           "how the Stockholm chapter ran its first mapathon with the local "
                           "university, and what the maps are used for now.",
                   body="## The day\n\nWe met at the university library at ten.\n\n"
                        "## The results\n\n- 400 buildings\n- 12 km of footpaths\n\n"
                        "Read more on the [mapathon page](https://example.org/mapathon)."),
    changes_requested=dict(by="basic", cat="community", lang="es", tags=["sources"],
                           title="Guía rápida para citar fuentes",
                           excerpt="Citar bien una fuente no es difícil: esta guía rápida "
                                   "explica qué datos anotar, cómo citar un libro o un "
                                   "periódico y qué hacer con fuentes en otros idiomas.",
                           body="## Qué anotar\n\nAutor, título, fecha y página.\n\n"
                                "## Fuentes en otros idiomas\n\nCita el original.",
                           note="Me gusta mucho. ¿Puedes añadir un ejemplo completo de cita "
                                "de un periódico y un enlace a la página de ayuda?"),
    approved=dict(by="leader", cat="affiliates", lang="fr", tags=["photos", "beirut"],
                  title="Un atelier photo à Beyrouth pour le patrimoine",
                  excerpt="Le groupe de Beyrouth a formé vingt bénévoles à la photographie "
                          "d'architecture. Retour sur un atelier qui a déjà produit des "
                          "centaines d'images libres.",
                  body="## L'atelier\n\nDeux heures de théorie, puis une promenade dans le "
                       "centre-ville.\n\n## Les résultats\n\n- 20 bénévoles formés\n"
                       "- plus de 200 photos"),
    scheduled=dict(by="member", cat="events", lang="en", tags=["gathering"],
                   title="Call for speakers: the autumn gathering",
                   excerpt="The autumn gathering is looking for speakers: short talks, "
                           "workshops and lightning demos about anything you did for the "
                           "movement this year. Here is how to propose one.",
                   body="## What we are looking for\n\n- 10-minute talks\n- 45-minute "
                        "workshops\n\n## How to propose\n\nFill in the "
                        "[form](https://example.org/autumn-gathering) before the end of "
                        "the month."),
    rejected=dict(by="member", cat="technology", lang="en", tags=["tools"],
                  title="Why every chapter should use my spreadsheet",
                  excerpt="I built a spreadsheet that tracks everything a chapter does, and "
                          "I think every chapter should use it. Here is why it is better "
                          "than anything else out there.",
                  body="## My spreadsheet\n\nIt has 45 tabs.\n\n## Why\n\nBecause it works "
                       "for me.",
                  note="This reads as an advertisement for one tool rather than a story. "
                       "Happy to look at a piece comparing several tools, with chapters' "
                       "experiences."),
    unpublished=dict(by="regular", cat="community", lang="en", tags=["survey"],
                     title="Volunteer survey: the first figures",
                     excerpt="Six hundred volunteers answered our yearly survey. The first "
                             "figures show who we are, how we found the movement and what "
                             "would make us stay.",
                     body="## Who answered\n\n- 600 volunteers\n- 40 countries\n\n"
                          "## First figures\n\nThese figures are preliminary.",
                     note="The figures were not final yet; we will publish the checked "
                          "version next month."),
    trash=dict(by="member", cat="technology", lang="en", tags=[],
               title="Test story, please ignore",
               excerpt="A test of the blog's editor: this story checks that headings, lists "
                       "and links come out right before the real one is written.",
               body="## Heading\n\n- one\n- two\n\n[a link](https://example.org)"),
)  # fmt: skip

# Editorial comments on the story in review: (by, text, replies, resolved).
COMMENTS = [
    ("editor", "The opening is lovely. Could you say in one sentence what the maps are used "
     "for, right at the start?", [("regular", "Good idea, done in the second revision.")],
     True),
    ("editor", "Do we have the university's permission to name the library? Please check "
     "before we publish.", [], False),
]  # fmt: skip

# Larger sites (``--size large``): stories made from these pieces.
BULK_TITLES = {
    "en": ["Notes from the {city} meetup #{n}", "How {city} welcomes newcomers, part {n}",
           "A year of editing in {city} ({n})"],
    "fr": ["Nouvelles de la rencontre de {city} n° {n}", "Un an de contributions à {city} ({n})"],
    "es": ["Crónica del encuentro de {city} n.º {n}", "Un año editando en {city} ({n})"],
    "ar": ["أخبار لقاء {city} رقم {n}"],
}  # fmt: skip
BULK_CITIES = ["Lyon", "Madrid", "Cairo", "Leeds", "Montréal", "Lima", "Amman", "Dakar"]
BULK_SENTENCES = [
    "We met at the library and worked on local history articles.",
    "Newcomers learned how to add references and images.",
    "The group translated two help pages and reviewed each other's work.",
    "We photographed the old market and uploaded the pictures under a free licence.",
    "Everyone left with a list of articles to improve before the next meetup.",
    "A local journalist joined us and wrote about the day.",
]
