"""The map of events: ``events.map`` (Leaflet, markers clustered, online events beside it),
``events.map_list`` (the same events as a plain list by country and city, for browsers
without JavaScript), ``events.geojson`` (what the map fetches for its viewport) and
``events.leaflet`` (Leaflet and its marker clustering, served from their Python packages —
no CDN).

The map page's Content-Security-Policy also allows images from the tile server (the origin
of the ``tile_url`` setting); other pages keep the site's policy. Filters are the list's
(``services/filters.py``); "near" is a city (``near=<id>``, or a name typed without the
picker, ``city=``) and a distance (``km=``). Bad input answers 400 with its message.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_cluster
from flask import abort, make_response, render_template, request, send_from_directory, url_for
from flask_login import current_user

from space import security
from space.markup import render
from space.permissions import require

from .. import gazetteer
from ..formatting import viewer_zone
from ..services import area, geo
from ..services.filters import FilterError, Filters, parse
from ..settings import value
from . import bp
from .editing_forms import place_label

# Served files: Leaflet's, then marker clustering's under "markercluster/".
LEAFLET_DIRS = {"": xs_leaflet.BASE_DIR, "markercluster/": xs_cluster.BASE_DIR}
LEAFLET_VERSION = f"{xs_leaflet.VERSION}-{xs_cluster.VERSION}"
LEAFLET_TYPES = frozenset({".js", ".css", ".png"})
LEAFLET_MAX_AGE = 7 * 24 * 3600
GEOJSON_TYPE = "application/geo+json"
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")


# --- the tile server in the Content-Security-Policy -----------------------------------------


def tile_origin(url: str) -> str | None:
    """The origin of a tile URL template, for CSP ("https://*.tile.example.org" for
    "{s}." subdomains); None when it is not a plain http(s) origin."""
    try:
        parts = urlsplit(str(url).strip())
    except ValueError:
        return None
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if parts.scheme not in {"http", "https"} or not _HOST.match(host):
        return None
    return f"{parts.scheme}://{host.lower()}"


def allow_tiles(response):
    """``response`` with a CSP whose img-src also allows the tile server (pages with a map)."""
    origin = tile_origin(value("tile_url"))
    policy = security.content_security_policy()
    if origin:
        directives = [
            f"{d} {origin}" if d.startswith("img-src ") and origin not in d.split() else d
            for d in policy.split("; ")
        ]
        policy = "; ".join(directives)
    response.headers["Content-Security-Policy"] = policy
    return response


def tile_attribution() -> str:
    """The tiles' attribution (an HTML setting) cleaned like user HTML, for Leaflet."""
    html = str(render(str(value("tile_attribution") or ""), trusted=True)).strip()
    if html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return html


# --- input ------------------------------------------------------------------------------------


def _filters() -> tuple[Filters, str | None]:
    zone = viewer_zone()
    try:
        return parse(request.args, zone), None
    except FilterError as error:
        return Filters(zone=zone), error.message


def _near() -> tuple[area.Near | None, str | None]:
    """The "near a city" of the query string: ``near=<id>`` (the picker) or ``city=<name>``."""
    args = request.args
    city = " ".join((args.get("city") or "").split())
    try:
        if (args.get("near") or "").strip():
            found = area.near(args["near"], args.get("km"))
            # A name typed over the picked city (without JavaScript the id stays): the name.
            if not city or city in {found.place.label, place_label(found.place)}:
                return found, None
        if city:
            return area.near_name(city, args.get("km")), None
    except area.GeoError as error:
        return None, error.message
    return None, None


def _area_args(filters: Filters, near: area.Near | None) -> dict[str, str]:
    found = dict(filters.args())
    if near is not None:
        found.update(near=str(near.place.id), km=str(int(near.km)))
    return found


def _form_context(filters: Filters, near: area.Near | None, error: str | None) -> dict:
    return {
        "filters": filters,
        "near": near,
        "near_label": place_label(near.place) if near else "",
        "error": error,
        "typed": request.args,
        "km_choices": sorted({*area.KM_CHOICES, *([int(near.km)] if near else [])}),
        "km_default": area.KM_DEFAULT,
        "gazetteer": gazetteer,
    }


# --- pages ------------------------------------------------------------------------------------


@bp.get("/map", endpoint="map")
def map_page():
    require(current_user, "site.read")
    filters, error = _filters()
    near, near_error = _near()
    error = error or near_error
    online, online_total = geo.online(current_user, filters)
    args = _area_args(filters, near)
    page = render_template(
        "events/map.html",
        online=online,
        online_total=online_total,
        area_args=args,
        geojson_url=url_for("events.geojson", **args),
        tile_url=value("tile_url"),
        attribution=tile_attribution(),
        leaflet_version=LEAFLET_VERSION,
        **_form_context(filters, near, error),
    )
    return allow_tiles(make_response(page, 400 if error else 200))


@bp.get("/map/list")
def map_list():
    require(current_user, "site.read")
    filters, error = _filters()
    near, near_error = _near()
    error = error or near_error
    found, total = geo.spots(current_user, filters, near=near)
    page = render_template(
        "events/map_list.html",
        countries=geo.by_country(found),
        shown=len(found),
        total=total,
        area_args=_area_args(filters, near),
        **_form_context(filters, near, error),
    )
    return make_response(page, 400 if error else 200)


def _json(body: dict | str, status: int = 200, mimetype: str = GEOJSON_TYPE):
    """``body`` (a dict, or JSON text already) as a private, briefly cacheable response."""
    if not isinstance(body, str):
        body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    response = make_response(body, status)
    response.mimetype = mimetype
    response.cache_control.private = True
    response.cache_control.max_age = 60
    response.vary.add("Cookie")
    return response


@bp.get("/map.geojson")
def geojson():
    require(current_user, "site.read")
    try:
        filters = parse(request.args, viewer_zone())
        bbox = area.parse_bbox(request.args.get("bbox"))
        near = area.near(request.args["near"], request.args.get("km")) if (
            request.args.get("near") or "").strip() else None  # fmt: skip
    except (FilterError, area.GeoError) as error:
        return _json({"error": error.message, "field": error.field}, 400, "application/json")
    return _json(geo.geojson_text(current_user, filters, bbox, near=near))


@bp.get("/leaflet/<path:path>")
def leaflet(path: str):
    """Leaflet's and marker clustering's scripts, styles and images (nothing else)."""
    prefix = "markercluster/" if path.startswith("markercluster/") else ""
    name = path[len(prefix) :]
    if PurePosixPath(name).suffix not in LEAFLET_TYPES:
        abort(404)
    # send_from_directory refuses any name that leaves the directory ("..", absolute paths).
    response = send_from_directory(LEAFLET_DIRS[prefix], name, max_age=LEAFLET_MAX_AGE)
    response.cache_control.public = True
    return response
