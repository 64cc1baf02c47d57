// City picker: a text input that offers cities from the offline list (events.places) as one
// types. An ARIA 1.2 combobox: the list is a listbox, the highlighted city is announced
// through aria-activedescendant; Down/Up move, Enter picks, Escape closes, the mouse works
// too. Picking a city fills the hidden place id, shows "Stockholm, Sweden", sets the time
// zone select to the city's zone unless the organizer chose one, and clears typed
// coordinates far from the city. Any element with [data-place-picker] holding a text input
// gets one (see templates/events/edit/_form.html for the data attributes).
// Without this file the input is a plain text field and the server looks the name up.
(() => {
  "use strict";

  const DELAY = 180;
  const FAR_KM = 100;
  let counter = 0;

  function distanceKm(aLat, aLon, bLat, bLon) {
    const rad = (d) => (d * Math.PI) / 180;
    const h = Math.sin(rad(bLat - aLat) / 2) ** 2
      + Math.cos(rad(aLat)) * Math.cos(rad(bLat)) * Math.sin(rad(bLon - aLon) / 2) ** 2;
    return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function setup(box) {
    const input = box.querySelector("input[type=text]");
    const hidden = byId(box.dataset.placeId);
    const list = byId(box.dataset.listbox);
    const status = byId(box.dataset.status);
    const zone = byId(box.dataset.zoneSelect);
    const latInput = byId(box.dataset.lat);
    const lonInput = byId(box.dataset.lon);
    const url = box.dataset.placesUrl;
    if (!input || !list || !url) return;
    const text = (name) => box.dataset["text" + name] || "";
    const prefix = "place-option-" + (++counter) + "-";

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    list.setAttribute("role", "listbox");
    const label = box.querySelector("label[for='" + input.id + "']");
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }

    let results = [];
    let active = -1;
    let timer = null;
    let controller = null;
    let asked = "";
    let pickedLabel = hidden && hidden.value ? input.value : null;
    // The zone follows the city until the organizer chooses one ("" is the automatic choice:
    // the city's zone, else the organizer's).
    let zoneChosen = Boolean(zone && zone.value);
    if (zone) zone.addEventListener("change", () => { zoneChosen = Boolean(zone.value); });

    function announce(message) {
      if (status) status.textContent = message;
    }

    function isOpen() {
      return !list.hidden;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach((option, i) => {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
        option.classList.toggle("is-active", i === active);
      });
      const current = options[active];
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    function render() {
      list.textContent = "";
      results.forEach((place, i) => {
        const option = document.createElement("li");
        option.id = prefix + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "event-place-option";
        const name = document.createElement("span");
        name.textContent = place.label;
        const extra = document.createElement("span");
        extra.className = "muted event-place-zone";
        extra.textContent = place.timezone;
        option.append(name, " ", extra);
        // mousedown would move the focus away and close the list before the click lands
        option.addEventListener("mousedown", (event) => event.preventDefault());
        option.addEventListener("click", () => pick(place));
        list.appendChild(option);
      });
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        announce(results.length === 1 ? text("One") : text("Many").replace("{n}", String(results.length)));
      } else {
        close();
        announce(text("None"));
      }
    }

    function pick(place) {
      input.value = place.label;
      pickedLabel = place.label;
      if (hidden) hidden.value = String(place.id);
      close();
      // cities offered by the server for a name typed earlier no longer apply
      box.querySelectorAll(".event-place-choices").forEach((choices) => choices.remove());
      announce(text("Picked").replace("{place}", place.label));
      const automatic = zone ? Array.from(zone.options).find((o) => o.value === "") : null;
      if (automatic && text("Zone")) {
        automatic.textContent = text("Zone").replace("{zone}", place.timezone);
      }
      if (zone && !zoneChosen && Array.from(zone.options).some((o) => o.value === place.timezone)) {
        zone.value = place.timezone;
      }
      if (latInput && lonInput && latInput.value && lonInput.value) {
        const lat = parseFloat(latInput.value.replace(",", "."));
        const lon = parseFloat(lonInput.value.replace(",", "."));
        if (!(isFinite(lat) && isFinite(lon)) || distanceKm(lat, lon, place.lat, place.lon) > FAR_KM) {
          latInput.value = "";
          lonInput.value = "";
        }
      }
      box.dispatchEvent(new CustomEvent("events:place", { bubbles: true, detail: place }));
    }

    function lookup() {
      const query = input.value.trim();
      if (!query || query.length > 100) {
        results = [];
        close();
        return;
      }
      if (query === asked && results.length) {
        render();
        return;
      }
      asked = query;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      const params = new URLSearchParams({ q: query });
      if (box.dataset.country) params.set("country", box.dataset.country);
      fetch(url + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then((found) => {
          if (input.value.trim() !== query) return;  // typed on meanwhile
          results = Array.isArray(found) ? found : [];
          if (document.activeElement === input) render();
        })
        .catch((error) => {
          if (error && error.name === "AbortError") return;
          results = [];
          close();
          announce(text("Failed"));
        });
    }

    input.addEventListener("input", () => {
      if (hidden && input.value !== pickedLabel) hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(lookup, DELAY);
    });

    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen()) {
          if (results.length) render(); else lookup();
          if (!results.length) return;
        }
        highlight(active < 0 ? (event.key === "ArrowDown" ? 0 : -1) : active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (isOpen() && active >= 0) {
          event.preventDefault();  // pick, do not send the form
          pick(results[active]);
        }
      } else if (event.key === "Escape") {
        if (isOpen()) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", () => { setTimeout(close, 120); });
    input.addEventListener("focus", () => {
      if (results.length && hidden && !hidden.value) render();
    });
  }

  function start() {
    document.querySelectorAll("[data-place-picker]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
