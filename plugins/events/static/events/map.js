// The map of events (events.map): Leaflet with clustered markers, fed by events.geojson for
// the part of the world in view (fetched again, debounced, when the map moves). Everything it
// needs comes in data-* attributes; the "near a city" field uses the city picker (picker.js).
// Without JavaScript the page links to the plain list by country and city.
(function () {
  "use strict";

  const DEBOUNCE_MS = 300;

  function wrapLongitude(lon) {
    return ((((lon + 180) % 360) + 360) % 360) - 180;
  }

  // "west,south,east,north" within -180..180 / -90..90; west > east across the antimeridian.
  function bboxParam(bounds) {
    let west = bounds.getWest();
    let east = bounds.getEast();
    const south = Math.max(-90, bounds.getSouth());
    const north = Math.min(90, bounds.getNorth());
    if (east - west >= 360) {
      west = -180;
      east = 180;
    } else {
      west = wrapLongitude(west);
      east = wrapLongitude(east);
      if (west === east) {
        west = -180;
        east = 180;
      }
    }
    return [west, south, east, north].map((n) => n.toFixed(5)).join(",");
  }

  function popup(properties, labels) {
    const box = document.createElement("div");
    box.className = "events-popup";
    const title = document.createElement("a");
    title.className = "events-popup-title";
    title.href = properties.url;
    title.textContent = properties.title;
    box.append(title);
    const when = document.createElement("time");
    when.className = "events-popup-when";
    when.dateTime = properties.when;
    when.textContent = properties.when_label;
    box.append(when);
    if (properties.cancelled) {
      const cancelled = document.createElement("strong");
      cancelled.className = "events-cancelled-label";
      cancelled.textContent = labels.cancelled;
      box.append(cancelled);
    }
    const open = document.createElement("a");
    open.className = "events-popup-open";
    open.href = properties.url;
    open.textContent = labels.open;
    box.append(open);
    return box;
  }

  function setUpMap(element) {
    const data = element.dataset;
    const language = document.documentElement.lang || undefined;
    const status = document.getElementById("events-map-status");
    const labels = {
      open: data.openLabel,
      cancelled: data.cancelledLabel,
      truncated: data.truncatedLabel,
      error: data.errorLabel,
      empty: data.emptyLabel,
    };
    const map = L.map(element, { worldCopyJump: true, minZoom: 1 });
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false });
    map.addLayer(cluster);

    if (data.center) {
      const [lat, lon] = data.center.split(",").map(Number);
      const radius = Number(data.km) * 1000;
      map.fitBounds(L.latLng(lat, lon).toBounds(2 * radius));
      L.circle([lat, lon], { radius, interactive: false }).addTo(map);
    } else {
      map.setView([25, 10], 2);
    }

    let timer = null;
    let pending = null;

    function say(text) {
      if (status) status.textContent = text || "";
    }

    // Markers by feature (as sent): a reload keeps the unchanged ones, so that an open
    // popup stays open when the map moves (opening a popup may pan the map).
    let shown = new Map();

    function show(collection) {
      const kept = new Map();
      const added = [];
      collection.features.forEach((feature) => {
        const key = JSON.stringify(feature);
        let marker = shown.get(key);
        if (!marker) {
          const [lon, lat] = feature.geometry.coordinates;
          marker = L.marker([lat, lon], {
            title: feature.properties.title,
            alt: feature.properties.title,
          });
          marker.bindPopup(() => popup(feature.properties, labels));
          if (feature.properties.cancelled) {
            marker.on("add", () => marker.getElement()?.classList.add("events-marker-cancelled"));
          }
          added.push(marker);
        }
        kept.set(key, marker);
      });
      cluster.removeLayers(Array.from(shown).filter(([key]) => !kept.has(key)).map(([, m]) => m));
      cluster.addLayers(added);
      shown = kept;
      const markers = collection.features;
      if (collection.truncated) {
        const number = (n) => Number(n).toLocaleString(language);
        say(
          labels.truncated
            .replace("{shown}", number(collection.features.length))
            .replace("{total}", number(collection.total)),
        );
      } else {
        say(markers.length ? "" : labels.empty);
      }
    }

    function load() {
      if (pending) pending.abort();
      pending = new AbortController();
      const url = new URL(data.geojson, window.location.href);
      url.searchParams.set("bbox", bboxParam(map.getBounds()));
      fetch(url, { signal: pending.signal, headers: { Accept: "application/geo+json" } })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(show)
        .catch((error) => {
          if (error.name !== "AbortError") say(labels.error);
        });
    }

    map.on("moveend", () => {
      clearTimeout(timer);
      timer = setTimeout(load, DEBOUNCE_MS);
    });
    load();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const element = document.getElementById("events-map");
    if (element && window.L) setUpMap(element);
  });
})();
