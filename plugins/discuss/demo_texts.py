"""Words and sentence patterns for the large demo's discussions, in English, French, Spanish
and Arabic: titles by kind of topic (a question, an event, a conversation), opening
sentences, replies and list items, filled from word lists.

Words are drawn with a Zipf-like skew (the first of a list often, the last rarely), and
names of people and years evenly, so the text has the spread of a real vocabulary: a few
very common words, many rare ones — what a search benchmark needs. Nothing here is
Markdown: no character that Markdown or the autolinker would read (``* _ ` [ ] < > & @ #``,
no ``word.word``), so each piece of text cooks to itself (``demo_bulk`` relies on that to
cook each post's skeleton only once).
"""

from __future__ import annotations

import random
import re
from itertools import accumulate

from space.demo_people import NAMES

CITIES = [
    "Paris", "Madrid", "Beirut", "Lagos", "Stockholm", "Tokyo", "Buenos Aires", "Lyon",
    "Montreal", "Dakar", "Casablanca", "Tunis", "Cairo", "Amman", "Mexico City", "Bogotá",
    "Lima", "Santiago", "Barcelona", "Seville", "Marseille", "Brussels", "Geneva", "Nairobi",
    "Accra", "Kampala", "Mumbai", "Jakarta", "Manila", "Toronto", "Leeds", "Dublin", "Lisbon",
    "Porto", "Berlin", "Vienna", "Warsaw", "Istanbul", "Quito", "Valparaíso", "Bilbao",
    "Toulouse", "Abidjan", "Kigali", "Rabat", "Oran", "Baghdad", "Muscat", "Doha", "Sendai",
]  # fmt: skip

WORDS = {
    "en": {
        "thing": [
            "references", "the infobox", "photo licences", "the help pages", "citation templates",
            "the translation memory", "newcomer guides", "the sign-up sheet", "Wikidata items",
            "heritage buildings", "the glossary", "categories", "biographies of scientists",
            "scanned newspapers", "the venue", "childcare", "travel support", "the newsletter",
            "training slides", "museum collections", "street names", "river articles",
            "botanical illustrations", "election results", "folk songs", "railway stations",
            "school projects", "public domain books", "audio recordings", "sign language videos",
            "the review queue", "watchlists", "coordinates", "redirects", "disambiguation pages",
            "talk pages", "the style guide", "local archives", "old postcards", "bird species",
            "football clubs", "women painters", "village histories", "endangered languages",
            "medieval manuscripts", "protected areas", "bus routes", "market halls", "lighthouses",
            "volcanoes", "traditional recipes", "dance festivals", "textile patterns",
        ],
        "act": [
            "adding references", "translating the summary", "checking the licences",
            "fixing broken links", "writing a short guide", "recording a video tutorial",
            "sorting the categories", "updating the coordinates", "uploading the scans",
            "merging duplicate items", "drafting the agenda", "booking the venue",
            "printing name badges", "reviewing new articles", "cleaning up the templates",
            "tagging the photos", "collecting feedback", "preparing a reading list",
            "mapping the heritage sites", "interviewing local historians", "answering questions",
            "pairing newcomers with mentors", "proofreading translations", "archiving old threads",
        ],
        "adj": [
            "tricky", "easy", "useful", "surprising", "slow", "confusing", "brilliant", "new",
            "official", "visual", "shared", "simple", "complete", "detailed", "friendly",
            "technical", "quiet", "lively", "generous", "patient", "careful", "ambitious",
        ],
        "when": [
            "weekend", "evening", "morning", "week", "month", "Saturday", "Sunday afternoon",
            "summer", "winter", "holiday", "spring", "autumn",
        ],
        "event": [
            "the edit-a-thon", "the next meetup", "the photo walk", "the training session",
            "the translation sprint", "the annual conference", "the hackathon",
            "the writing workshop", "the library visit", "the museum tour", "the mapping party",
        ],
        "group": [
            "librarians", "teachers", "students", "photographers", "translators", "historians",
            "archivists", "developers", "museum staff", "local journalists", "retired engineers",
        ],
        "tool": [
            "visual editor", "upload wizard", "citation tool", "translation tool", "map editor",
            "spreadsheet", "checklist", "template", "dashboard", "sandbox",
        ],
    },
    "fr": {
        "thing": [
            "les références", "l'infobox", "les licences des photos", "les pages d'aide",
            "les modèles de citation", "la mémoire de traduction", "le guide des débutants",
            "la feuille d'inscription", "les éléments Wikidata", "le patrimoine bâti",
            "le glossaire", "les catégories", "les biographies de scientifiques",
            "les journaux numérisés", "la salle", "la garde d'enfants", "les frais de transport",
            "la lettre d'information", "les diapositives de formation", "les collections du musée",
            "les noms de rues", "les articles sur les rivières", "les planches botaniques",
            "les résultats électoraux", "les chansons populaires", "les gares",
            "les projets scolaires", "les livres du domaine public", "les enregistrements sonores",
            "la file de relecture", "les coordonnées", "les pages d'homonymie",
            "les archives municipales", "les cartes postales anciennes", "les oiseaux du littoral",
            "les clubs de football", "les peintres femmes", "l'histoire des villages",
            "les langues régionales", "les manuscrits médiévaux", "les lavoirs", "les moulins",
        ],
        "act": [
            "ajouter des références", "traduire le résumé", "vérifier les licences",
            "corriger les liens cassés", "rédiger un petit guide", "enregistrer un tutoriel",
            "trier les catégories", "mettre à jour les coordonnées", "téléverser les scans",
            "fusionner les doublons", "préparer l'ordre du jour", "réserver la salle",
            "imprimer les badges", "relire les nouveaux articles", "nettoyer les modèles",
            "recueillir les retours", "préparer une liste de lecture", "photographier les façades",
        ],
        "adj": [
            "compliqué", "facile", "utile", "surprenant", "lent", "déroutant", "génial",
            "pratique", "simple", "complet", "détaillé", "sympathique", "technique", "calme",
            "chaleureux", "ambitieux",
        ],
        "when": [
            "ce week-end", "samedi prochain", "la semaine dernière", "ce mois-ci", "cet été",
            "dimanche après-midi", "cet automne", "pendant les vacances", "mardi soir",
        ],
        "event": [
            "l'edit-a-thon", "la prochaine rencontre", "la balade photo", "la formation",
            "le marathon de traduction", "la conférence annuelle", "l'atelier d'écriture",
            "la visite de la médiathèque", "la visite du musée", "la cartopartie",
        ],
        "group": [
            "les bibliothécaires", "les enseignants", "les étudiants", "les photographes",
            "les traducteurs", "les historiens", "les archivistes", "les développeurs",
            "l'équipe du musée", "les journalistes locaux",
        ],
        "tool": [
            "l'éditeur visuel", "l'assistant de téléversement", "l'outil de citation",
            "l'outil de traduction", "le tableur", "la liste de contrôle", "le bac à sable",
        ],
    },
    "es": {
        "thing": [
            "las referencias", "la ficha", "las licencias de las fotos", "las páginas de ayuda",
            "las plantillas de cita", "la memoria de traducción", "la guía para principiantes",
            "la hoja de inscripción", "los elementos de Wikidata", "el patrimonio arquitectónico",
            "el glosario", "las categorías", "las biografías de científicas",
            "los periódicos digitalizados", "el local", "el cuidado de niños", "los viáticos",
            "el boletín", "las diapositivas del taller", "las colecciones del museo",
            "los nombres de calles", "los artículos sobre ríos", "las láminas botánicas",
            "los resultados electorales", "las canciones populares", "las estaciones de tren",
            "los proyectos escolares", "los libros de dominio público", "las grabaciones",
            "la cola de revisión", "las coordenadas", "las páginas de desambiguación",
            "los archivos municipales", "las postales antiguas", "las aves del humedal",
            "los clubes de fútbol", "las pintoras", "la historia de los pueblos",
            "las lenguas indígenas", "los manuscritos coloniales", "los mercados", "los faros",
        ],
        "act": [
            "añadir referencias", "traducir el resumen", "revisar las licencias",
            "arreglar enlaces rotos", "escribir una guía breve", "grabar un tutorial",
            "ordenar las categorías", "actualizar las coordenadas", "subir los escaneos",
            "fusionar duplicados", "preparar el orden del día", "reservar el local",
            "imprimir las credenciales", "revisar artículos nuevos", "limpiar las plantillas",
            "recoger comentarios", "preparar una lista de lecturas", "fotografiar las fachadas",
        ],
        "adj": [
            "complicado", "fácil", "útil", "sorprendente", "lento", "confuso", "genial",
            "práctico", "sencillo", "completo", "detallado", "amable", "técnico", "tranquilo",
            "generoso", "ambicioso",
        ],
        "when": [
            "este fin de semana", "el próximo sábado", "la semana pasada", "este mes",
            "este verano", "el domingo por la tarde", "en otoño", "en vacaciones", "el martes",
        ],
        "event": [
            "el editatón", "la próxima quedada", "el paseo fotográfico", "el taller",
            "la maratón de traducción", "el congreso anual", "el taller de escritura",
            "la visita a la biblioteca", "la visita al museo", "la fiesta de mapeo",
        ],
        "group": [
            "las bibliotecarias", "los docentes", "los estudiantes", "los fotógrafos",
            "los traductores", "las historiadoras", "los archiveros", "los desarrolladores",
            "el equipo del museo", "los periodistas locales",
        ],
        "tool": [
            "el editor visual", "el asistente de subida", "la herramienta de citas",
            "la herramienta de traducción", "la hoja de cálculo", "la lista de control",
            "la zona de pruebas",
        ],
    },
    "ar": {
        "thing": [
            "المراجع", "صندوق المعلومات", "تراخيص الصور", "صفحات المساعدة", "قوالب الاستشهاد",
            "ذاكرة الترجمة", "دليل المبتدئين", "جدول التسجيل", "عناصر ويكي بيانات",
            "المباني التراثية", "المسرد", "التصنيفات", "سير العالمات", "الصحف المرقمنة",
            "القاعة", "رعاية الأطفال", "دعم السفر", "النشرة الإخبارية", "شرائح التدريب",
            "مجموعات المتحف", "أسماء الشوارع", "مقالات الأنهار", "الرسوم النباتية",
            "نتائج الانتخابات", "الأغاني الشعبية", "محطات القطار", "المشاريع المدرسية",
            "الكتب الحرة", "التسجيلات الصوتية", "قائمة المراجعة", "الإحداثيات",
            "صفحات التوضيح", "الأرشيف البلدي", "البطاقات البريدية القديمة", "الطيور المهاجرة",
            "الأندية الرياضية", "الرسامات", "تاريخ القرى", "المخطوطات القديمة", "الأسواق",
        ],
        "act": [
            "إضافة المراجع", "ترجمة الملخص", "التحقق من التراخيص", "إصلاح الروابط المعطلة",
            "كتابة دليل قصير", "تسجيل درس مصور", "ترتيب التصنيفات", "تحديث الإحداثيات",
            "رفع الصور الممسوحة", "دمج العناصر المكررة", "إعداد جدول الأعمال", "حجز القاعة",
            "طباعة البطاقات", "مراجعة المقالات الجديدة", "تنظيف القوالب", "جمع الملاحظات",
        ],
        "adj": [
            "مفيدة", "صعبة", "ممتعة", "سريعة", "بطيئة", "رائعة", "بسيطة", "طويلة", "هادئة",
            "مشجعة", "غنية", "منظمة",
        ],
        "when": [
            "نهاية الأسبوع", "يوم السبت", "الأسبوع الماضي", "هذا الشهر", "هذا الصيف",
            "مساء الأحد", "في الخريف", "خلال العطلة",
        ],
        "event": [
            "ماراثون التحرير", "اللقاء القادم", "جولة التصوير", "الدورة التدريبية",
            "سباق الترجمة", "المؤتمر السنوي", "ورشة الكتابة", "زيارة المكتبة", "زيارة المتحف",
        ],
        "group": [
            "أمناء المكتبات", "المعلمون", "الطلاب", "المصورون", "المترجمون", "المؤرخون",
            "الأرشيفيون", "المطورون", "فريق المتحف", "الصحفيون المحليون",
        ],
        "tool": [
            "المحرر المرئي", "معالج الرفع", "أداة الاستشهاد", "أداة الترجمة", "جدول البيانات",
            "قائمة التحقق", "الملعب",
        ],
    },
}  # fmt: skip

# Titles by kind of topic: "question" (Q&A), "event" (events, meetups), "talk" (the rest).
TITLES = {
    "en": {
        "question": ["How do I handle {thing} with the {tool}?", "Question about {thing}",
                     "Is {act} worth it for {thing}?", "Where do I find help with {thing}?",
                     "Why is the {tool} so {adj} with {thing}?"],
        "event": ["{event} in {place}: who is coming?", "Volunteers needed for {event} in {place}",
                  "Report from {event} in {place}", "Planning {event} for this {when}"],
        "talk": ["Ideas for {thing} in {place}", "What we learned from {act}",
                 "Let us talk about {thing}", "A {adj} approach to {thing}",
                 "Progress on {thing}, {place} edition"],
    },
    "fr": {
        "question": ["Comment gérer {thing} avec {tool} ?", "Une question sur {thing}",
                     "Faut-il {act} pour {thing} ?", "Qui peut m'aider avec {thing} ?"],
        "event": ["{event} à {place} : qui vient ?", "Bénévoles pour {event} à {place}",
                  "Compte rendu : {event} à {place}", "On prépare {event} pour {when}"],
        "talk": ["Des idées pour {thing} à {place}", "Ce que nous avons appris en voulant {act}",
                 "Parlons de {thing}", "Où en est-on avec {thing} ?"],
    },
    "es": {
        "question": ["¿Cómo manejo {thing} con {tool}?", "Una pregunta sobre {thing}",
                     "¿Vale la pena {act} para {thing}?", "¿Quién me ayuda con {thing}?"],
        "event": ["{event} en {place}: ¿quién se apunta?", "Voluntarios para {event} en {place}",
                  "Crónica de {event} en {place}", "Preparamos {event} para {when}"],
        "talk": ["Ideas para {thing} en {place}", "Lo que aprendimos al {act}",
                 "Hablemos de {thing}", "¿Cómo vamos con {thing}?"],
    },
    "ar": {
        "question": ["كيف أتعامل مع {thing} باستخدام {tool}؟", "سؤال حول {thing}",
                     "هل يستحق {act} العناء؟", "من يساعدني في {thing}؟"],
        "event": ["{event} في {place}: من سيحضر؟", "نبحث عن متطوعين لـ{event} في {place}",
                  "تقرير عن {event} في {place}"],
        "talk": ["أفكار حول {thing} في {place}", "ماذا تعلمنا من {act}", "لنتحدث عن {thing}"],
    },
}  # fmt: skip

# Sentences that open a topic, that reply, and short list items.
OPENING = {
    "en": ["I spent the {when} improving {thing} for {place}.",
           "We started {act} last {when} and it was {adj}.",
           "The librarians in {place} offered to help with {thing}.",
           "My question is about {thing}: should we begin by {act}?",
           "Last {when} {n} people joined us to work on {thing}.",
           "I found {n} sources about {thing} in the local archives.",
           "Has anyone tried the {tool} for {thing}?",
           "We still need help with {thing} and {thing2} before {event}.",
           "The {adj} part is {act}, the rest goes quickly.",
           "I expanded the biography of {person}, who was born in {year}.",
           "The archives in {place} hold letters by {person} from {year}."],
    "fr": ["J'ai passé {when} à améliorer {thing} pour {place}.",
           "Nous avons commencé à {act} et c'était {adj}.",
           "Les bibliothécaires de {place} proposent de nous aider avec {thing}.",
           "Ma question porte sur {thing} : faut-il d'abord {act} ?",
           "{when}, nous étions {n} pour travailler sur {thing}.",
           "J'ai trouvé {n} sources sur {thing} aux archives.",
           "Quelqu'un a-t-il essayé {tool} pour {thing} ?",
           "Il nous manque encore du monde pour {thing} avant {event}.",
           "J'ai complété la biographie de {person}, née en {year}.",
           "Les archives de {place} conservent des lettres de {person} datées de {year}."],
    "es": ["Pasé {when} mejorando {thing} para {place}.",
           "Empezamos a {act} y fue {adj}.",
           "Las bibliotecarias de {place} se ofrecieron a ayudar con {thing}.",
           "Mi pregunta es sobre {thing}: ¿conviene {act} primero?",
           "{when} fuimos {n} personas trabajando en {thing}.",
           "Encontré {n} fuentes sobre {thing} en el archivo.",
           "¿Alguien probó {tool} para {thing}?",
           "Todavía falta gente para {thing} antes de {event}.",
           "Amplié la biografía de {person}, nacida en {year}.",
           "El archivo de {place} guarda cartas de {person} de {year}."],
    "ar": ["قضيت {when} في تحسين {thing} من أجل {place}.",
           "بدأنا {act} وكانت التجربة {adj}.",
           "عرض أمناء المكتبات في {place} المساعدة في {thing}.",
           "سؤالي عن {thing}: هل نبدأ بـ{act}؟",
           "وجدت {n} مصادر عن {thing} في الأرشيف.",
           "هل جرب أحدكم {tool} من أجل {thing}؟",
           "ما زلنا نحتاج إلى مساعدة في {thing} قبل {event}.",
           "وسعت سيرة {person} المولود عام {year}.",
           "يحتفظ أرشيف {place} برسائل كتبها {person} عام {year}."],
}  # fmt: skip
REPLY = {
    "en": ["Thanks for sharing, the tip about {thing} saved me a lot of time.",
           "In {place} we usually start with {thing} and finish with {thing2}.",
           "I would suggest {act} first, then checking {thing}.",
           "Count me in for {event}, I can help with {thing}.",
           "It worked, although {thing} needed a {adj} fix afterwards.",
           "The {tool} is {adj} for this, give it a try.",
           "Could someone review my changes to {thing}?",
           "Good point. The {group} in {place} asked the same question.",
           "We tried {act} with {n} volunteers and it went well.",
           "I agree, {thing} deserves more attention.",
           "Not sure about {thing}, but {act} helped us a lot.",
           "Thanks {first}, that answers my question.",
           "{person} wrote about this in {year}, worth a look.",
           "Good catch, the date should be {year}, not {year2}."],
    "fr": ["Merci pour l'astuce sur {thing}, j'ai gagné beaucoup de temps.",
           "À {place}, on commence par {thing} et on finit par {thing2}.",
           "Je suggère de {act} d'abord, puis de regarder {thing}.",
           "Je serai là pour {event}, je peux aider pour {thing}.",
           "Ça a marché, même si {thing} a demandé un peu de travail.",
           "Quelqu'un peut relire mes modifications sur {thing} ?",
           "Bonne remarque, {group} de {place} posaient la même question.",
           "Nous avons essayé de {act} à {n} et c'était {adj}.",
           "Merci {first}, c'est exactement ce qu'il me fallait.",
           "{person} en parlait déjà en {year}.",
           "Attention, la date est {year} et non {year2}."],
    "es": ["Gracias por el consejo sobre {thing}, me ahorró mucho tiempo.",
           "En {place} solemos empezar por {thing} y terminar con {thing2}.",
           "Sugiero {act} primero y luego revisar {thing}.",
           "Me apunto a {event}, puedo ayudar con {thing}.",
           "Funcionó, aunque {thing} necesitó un arreglo.",
           "¿Alguien puede revisar mis cambios en {thing}?",
           "Buena idea, {group} de {place} preguntaban lo mismo.",
           "Probamos {act} con {n} voluntarios y fue {adj}.",
           "Gracias, {first}, justo lo que necesitaba.",
           "{person} ya escribió sobre esto en {year}.",
           "Ojo, la fecha correcta es {year} y no {year2}."],
    "ar": ["شكرًا على النصيحة حول {thing}، وفرت علي الكثير من الوقت.",
           "في {place} نبدأ عادة بـ{thing} ثم ننتقل إلى {thing2}.",
           "أقترح {act} أولًا ثم مراجعة {thing}.",
           "سأشارك في {event} ويمكنني المساعدة في {thing}.",
           "نجحت الطريقة، لكن {thing} احتاج إلى بعض العمل.",
           "هل يمكن لأحدكم مراجعة تعديلاتي على {thing}؟",
           "فكرة جيدة، {group} في {place} طرحوا السؤال نفسه.",
           "شكرًا يا {first}، هذا ما كنت أحتاجه.",
           "كتب {person} عن هذا الموضوع عام {year}."],
}  # fmt: skip
ITEM = {
    "en": ["{act}", "{thing} for {place}", "ask the {group}", "bring the {tool}"],
    "fr": ["{act}", "{thing} pour {place}", "contacter {group}"],
    "es": ["{act}", "{thing} para {place}", "contactar a {group}"],
    "ar": ["{act}", "{thing} في {place}", "التواصل مع {group}"],
}  # fmt: skip

SLOT = re.compile(r"{(\w+)}")


def _skewed(items: list[str]) -> tuple[list[str], list[float]]:
    """The items and their cumulative Zipf-like weights (the first the most often)."""
    return items, list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(items))))


def _people() -> dict[str, list[tuple[list[str], list[str]]]]:
    """First and family names by language (the large demo's people's, in their script)."""
    found: dict[str, list] = {}
    for locale, _zone, firsts, lasts in NAMES:
        shown = [[name[0] if isinstance(name, tuple) else name for name in names]
                 for names in (firsts, lasts)]  # fmt: skip
        found.setdefault(locale or "en", []).append(shown)
    return found


class Writer:
    """Fills patterns from the word lists with ``rng``: the same text for the same seed.
    Names of people and years are drawn evenly: they are the vocabulary's long tail."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = {code: {slot: _skewed(items) for slot, items in slots.items()}
                      for code, slots in WORDS.items()}  # fmt: skip
        self.places = _skewed(CITIES)
        self.names = _people()

    def _person(self, lang: str, first_only: bool = False) -> str:
        firsts, lasts = self.rng.choice(self.names[lang])
        first = self.rng.choice(firsts)
        return first if first_only else f"{first} {self.rng.choice(lasts)}"

    def _pick(self, choice: tuple[list[str], list[float]]) -> str:
        items, weights = choice
        return self.rng.choices(items, cum_weights=weights)[0]

    def fill(self, pattern: str, lang: str) -> str:
        words = self.words[lang]

        def slot(match: re.Match) -> str:
            name = match.group(1)
            if name == "place":
                return self._pick(self.places)
            if name == "n":
                return str(self.rng.randint(3, 40))
            if name.startswith("year"):
                return str(self.rng.randint(1200, 2024))
            if name in ("person", "first"):
                return self._person(lang, first_only=name == "first")
            return self._pick(words[name.rstrip("2")])

        text = SLOT.sub(slot, pattern)
        return text[0].upper() + text[1:]

    def title(self, lang: str, kind: str) -> str:
        return self.fill(self.rng.choice(TITLES[lang][kind]), lang)

    def sentences(self, lang: str, count: int, *, opening: bool) -> str:
        patterns = OPENING[lang] if opening else REPLY[lang]
        return " ".join(self.fill(self.rng.choice(patterns), lang) for _n in range(count))

    def item(self, lang: str) -> str:
        return self.fill(self.rng.choice(ITEM[lang]), lang)
