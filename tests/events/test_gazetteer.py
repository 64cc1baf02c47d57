"""The offline city lookup (plugins/events/gazetteer.py) on the shipped GeoNames data."""

from __future__ import annotations

import ast
import dataclasses
import gzip
import random
import sys
from pathlib import Path

import pytest

from plugins.events import gazetteer
from plugins.events.gazetteer import Place, distance_km, get, lookup, near

STOCKHOLM, OSLO, MUNICH, CAIRO, LONDON = 2673730, 3143244, 2867714, 360630, 2643743


def first(query, **kwargs) -> Place:
    results = lookup(query, **kwargs)
    assert results, query
    return results[0]


# --- prefix lookup ------------------------------------------------------------------------------


def test_stockh_finds_stockholm_first():
    place = first("Stockh")
    assert place.id == STOCKHOLM
    assert place.name == "Stockholm"
    assert place.country == "Sweden"
    assert place.country_code == "SE"
    assert place.timezone == "Europe/Stockholm"
    assert place.lat == pytest.approx(59.33, abs=0.01)
    assert place.lon == pytest.approx(18.07, abs=0.01)
    assert place.population > 900_000
    assert place.label == "Stockholm, Sweden"


@pytest.mark.parametrize(
    "query", ["münchen", "munchen", "München", "MÜNCHEN", "Munich", "muenchen", "Münch", "mun"]
)
def test_munich_by_its_names_accents_and_case(query):
    place = first(query)
    assert (place.id, place.name, place.country) == (MUNICH, "Munich", "Germany")
    assert place.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("query", "geonameid"),
    [
        ("القاهرة", CAIRO),  # Arabic name of Cairo
        ("القاهره", CAIRO),  # teh marbuta typed as heh
        ("قاهرة", CAIRO),  # without the article
        ("القاه", CAIRO),  # a prefix
        ("ستوكهولم", STOCKHOLM),
        ("لندن", LONDON),
    ],
)
def test_arabic_names(query, geonameid):
    assert first(query).id == geonameid


@pytest.mark.parametrize(
    ("query", "geonameid"),
    [
        ("Le Caire", CAIRO),  # French
        ("le caire", CAIRO),
        ("Londres", LONDON),  # French and Spanish
        ("Estocolmo", STOCKHOLM),  # Spanish
        ("Múnich", MUNICH),
        ("MUNICH", MUNICH),
    ],
)
def test_french_and_spanish_names(query, geonameid):
    assert first(query).id == geonameid


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("sao paulo", "São Paulo"),
        ("SÃO PAULO", "São Paulo"),
        ("malmo", "Malmö"),
        ("MALMÖ", "Malmö"),
        ("lodz", "Łódź"),
        ("Łódź", "Łódź"),
        ("zurich", "Zürich"),
        ("koln", "Köln"),
        ("cologne", "Köln"),
        ("sanliurfa", "Şanlıurfa"),
        ("xian", "Xi’an"),
        ("Xi'an", "Xi’an"),
        ("saint etienne", "Saint-Étienne"),
        ("Saint-Étienne", "Saint-Étienne"),
        ("  stockholm  ", "Stockholm"),
        ("Stockh…", "Stockholm"),
    ],
)
def test_accents_case_and_punctuation_do_not_matter(query, name):
    assert first(query).name == name


def test_exact_matches_come_before_larger_prefix_matches():
    # Lima (US, ~38k) is an exact match and comes before Limassol (~154k)
    names = [(p.name, p.country_code) for p in lookup("Lima", limit=3)]
    assert names[:2] == [("Lima", "PE"), ("Lima", "US")]
    # a city's own name before a city that has it as another name, then by population
    york = lookup("York", limit=5)
    assert [p.name for p in york[:2]] == ["York", "York"]
    assert york[0].population > york[1].population


def test_prefix_matches_rank_by_population():
    results = lookup("sto", limit=10)
    assert results[0].id == STOCKHOLM
    rest = [p.population for p in results if p.name.lower() != "sto"]
    assert rest == sorted(rest, reverse=True)


def test_limit():
    assert len(lookup("s", limit=3)) == 3
    assert len(lookup("s")) == 10
    assert lookup("s", limit=0) == []
    assert lookup("s", limit=-5) == []
    many = lookup("s", limit=10_000)
    assert len(many) == gazetteer.MAX_LIMIT
    assert len({p.id for p in many}) == len(many)  # one entry per city
    # the short-query cache gives the same answer as the first call
    assert [p.id for p in lookup("s", limit=5)] == [p.id for p in many[:5]]
    assert [p.id for p in lookup("S", limit=5)] == [p.id for p in many[:5]]


def test_country_filter():
    swedish = lookup("s", country="se", limit=10)
    assert len(swedish) == 10
    assert {p.country_code for p in swedish} == {"SE"}
    assert swedish[0].id == STOCKHOLM
    assert first("Stockh", country="SE").id == STOCKHOLM
    assert lookup("Stockh", country="NO") == []
    assert first("Springfield", country="US").admin1  # US states have a name
    assert lookup("Stockh", country="ZZ") == []  # unknown country
    assert lookup("Stockh", country="") == lookup("Stockh")  # empty means any


def test_unknown_name():
    assert lookup("zzzqxq") == []
    assert lookup("Stockholmx") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "\t\n",
        "x" * 10_000,
        "Stockholm" * 20,
        "'",
        "-",
        "…",
        "%",
        "*",
        "_",
        "\\",
        "\x00",
        "\ufffd",
        "\U0010ffff",
        "\u200f",
        "🙂",
        "'; DROP TABLE cities; --",
        "̈",  # a lone combining mark
        "ـ",  # a lone tatweel
        None,
        123,
        b"Stockholm",
        ["Stockholm"],
    ],
)
def test_odd_input_gives_a_list_never_an_exception(query):
    assert lookup(query) == []


def test_odd_limits_and_countries():
    assert lookup("Stockh", limit=None) == []
    assert lookup("Stockh", limit="3") == []
    assert lookup("Stockh", limit=True) == []
    assert lookup("Stockh", country=42) == []
    assert lookup("Stockh", country="Sweden") == []


def test_every_city_finds_itself_by_name():
    table = gazetteer._get_table()
    rng = random.Random(8)
    for city in rng.sample(range(len(table.names)), 300):
        place = table.place(city)
        found = lookup(place.name, limit=gazetteer.MAX_LIMIT, country=place.country_code)
        assert place in found, place


# --- by id, distance, countries -----------------------------------------------------------------


def test_get_by_id():
    place = get(STOCKHOLM)
    assert place == first("Stockholm")
    assert get(str(OSLO)).name == "Oslo"
    assert get(MUNICH).country == "Germany"
    for missing in (0, -1, 1, 99_999_999_999, None, "abc", 3.5j):
        assert get(missing) is None


def test_place_is_frozen():
    place = get(STOCKHOLM)
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.name = "Holmia"
    assert hash(place) == hash(get(STOCKHOLM))


def test_distance_stockholm_oslo():
    s, o = get(STOCKHOLM), get(OSLO)
    assert distance_km(s.lat, s.lon, o.lat, o.lon) == pytest.approx(416, abs=10)
    assert distance_km(o.lat, o.lon, s.lat, s.lon) == pytest.approx(
        distance_km(s.lat, s.lon, o.lat, o.lon)
    )
    assert distance_km(s.lat, s.lon, s.lat, s.lon) == 0
    # half the way round the Earth, across the antimeridian, pole to pole
    assert distance_km(0, 0, 0, 180) == pytest.approx(20_015, abs=5)
    assert distance_km(0, 179.5, 0, -179.5) == pytest.approx(111, abs=1)
    assert distance_km(90, 0, -90, 0) == pytest.approx(20_015, abs=5)


def test_near():
    s = get(STOCKHOLM)
    around = near(s.lat, s.lon, 30)
    assert around[0].id == STOCKHOLM
    assert all(distance_km(s.lat, s.lon, p.lat, p.lon) <= 30 for p in around)
    distances = [distance_km(s.lat, s.lon, p.lat, p.lon) for p in around]
    assert distances == sorted(distances)
    assert len(near(s.lat, s.lon, 30, limit=3)) == 3
    # the nearest city to a point clicked on the map
    assert near(59.34, 18.05, 50, limit=1)[0].country_code == "SE"
    # Oslo is ~416 km away: inside 450 km, outside 400 km
    assert OSLO in {p.id for p in near(s.lat, s.lon, 450, limit=100, country="NO")}
    assert OSLO not in {p.id for p in near(s.lat, s.lon, 400, limit=100, country="NO")}
    assert near(0.0, -160.0, 50) == []  # the middle of the Pacific
    for bad in ((100, 0, 10), (0, 200, 10), (0, 0, -1), ("x", 0, 10), (None, 0, 10)):
        assert near(*bad) == []
    assert near(float("nan"), 0, 10) == []
    assert near(0, 0, float("inf")) == []


def test_near_across_the_antimeridian():
    # Suva (Fiji, 178.4°E) seen from a point at 179.9°W
    suva = first("Suva", country="FJ")
    found = near(suva.lat, -179.9, 300, limit=50)
    assert suva in found


def test_bounding_box_contains_the_circle():
    s, o = get(STOCKHOLM), get(OSLO)
    min_lat, min_lon, max_lat, max_lon = gazetteer.bounding_box(s.lat, s.lon, 420)
    assert min_lat <= o.lat <= max_lat and min_lon <= o.lon <= max_lon
    assert gazetteer.bounding_box(s.lat, s.lon, 400)[1] < s.lon < 40
    assert gazetteer.bounding_box(89.9, 0, 50)[1:4:2] == (-180.0, 180.0)
    assert gazetteer.bounding_box(0, 179.9, 50)[1:4:2] == (-180.0, 180.0)


def test_countries():
    countries = gazetteer.countries()
    assert countries["SE"] == "Sweden"
    assert countries["EG"] == "Egypt"
    assert len(countries) >= 240
    countries["SE"] = "changed"  # a copy: the table is not touched
    assert gazetteer.countries()["SE"] == "Sweden"


def test_attribution_without_and_with_an_app_context(app):
    assert "GeoNames" in str(gazetteer.ATTRIBUTION)
    with app.test_request_context("/"):
        assert "GeoNames" in str(gazetteer.ATTRIBUTION)
    assert gazetteer.SOURCE_URL == "https://www.geonames.org/"
    assert "by/4.0" in gazetteer.LICENSE_URL


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("München", "munchen"),
        ("Saint-Étienne", "saint etienne"),
        ("Xi’an", "xian"),
        ("  New   York  ", "new york"),
        ("İstanbul", "istanbul"),
        ("Ærøskøbing", "aeroskobing"),
        ("Straße", "strasse"),
        ("القاهرة", "القاهره"),
        ("قُلُونِيَة", "قلونيه"),
    ],
)
def test_normalize(text, key):
    assert gazetteer.normalize(text) == key
    assert gazetteer.normalize(key) == key


# --- the data and the module --------------------------------------------------------------------


def test_data_files_are_compact_and_credited():
    data = Path(gazetteer.__file__).parent / "data"
    assert (data / "cities.tsv.gz").stat().st_size < 5 * 2**20
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "https://www.geonames.org/" in readme
    with gzip.open(data / "cities.tsv.gz", "rt", encoding="utf-8") as f:
        assert tuple(f.readline().rstrip("\n").split("\t")) == gazetteer.CITY_COLUMNS
        rows = sum(1 for _ in f)
    assert 30_000 < rows < 40_000


def test_module_uses_the_standard_library_only():
    tree = ast.parse(Path(gazetteer.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    # flask_babel is optional (the import falls back), and only makes the credit translatable
    assert imported - set(sys.stdlib_module_names) == {"flask_babel"}


def test_load_from_other_files(tmp_path):
    """load(files) swaps the table, e.g. for a small fixture; a bad header is refused."""
    countries = tmp_path / "countries.tsv"
    countries.write_text(
        "code\tname\tiso3\tcontinent\nSE\tSweden\tSWE\tEU\nNO\tNorway\tNOR\tEU\n",
        encoding="utf-8",
    )
    cities = tmp_path / "cities.tsv.gz"
    rows = [
        "\t".join(gazetteer.CITY_COLUMNS),
        "1\tTestby\tTestby\tProvstad|Testbyn\tSE\t26\t\t59.0\t18.0\tEurope/Stockholm\t500",
        "2\tTestvik\tTestvik\t\tNO\t12\t\t60.0\t10.0\tEurope/Oslo\t400",
    ]
    cities.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode("utf-8")))
    saved = gazetteer._table
    try:
        gazetteer.load(cities, countries)
        assert [p.name for p in lookup("test")] == ["Testby", "Testvik"]
        assert first("provst").id == 1
        assert get(2).timezone == "Europe/Oslo"
        assert gazetteer.countries() == {"SE": "Sweden", "NO": "Norway"}
        cities.write_bytes(gzip.compress(b"id\tname\n1\tX\n"))
        with pytest.raises(ValueError):
            gazetteer.load(cities, countries)
    finally:
        gazetteer._table = saved
    assert first("Stockh").id == STOCKHOLM
