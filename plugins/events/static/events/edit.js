// The event form: show only the fields that apply (the meeting link for online and hybrid
// events, the place for in-person ones, times unless all day, the repetition's details,
// registration's details, the topic to link) and name the monthly repetition after the
// first date ("Every month on the second Tuesday"). Without this file every field shows,
// with hints saying when it applies; the server names the monthly choice on each render.
(() => {
  "use strict";

  function parseJSON(text, fallback) {
    try { return JSON.parse(text || ""); } catch (error) { return fallback; }
  }

  function setup(form) {
    const field = (name) => form.elements.namedItem(name);
    const all = (selector) => Array.from(form.querySelectorAll(selector));
    // A part with an error stays visible: the person must see the message.
    const show = (element, visible) => {
      element.hidden = !visible && !element.querySelector(".has-errors, .errors");
    };
    const checked = (name) => {
      const found = form.querySelector("input[name='" + name + "']:checked");
      return found ? found.value : "";
    };

    function update() {
      const mode = checked("mode") || "in_person";
      all("[data-mode-online]").forEach((el) => show(el, mode !== "in_person"));
      all("[data-mode-place]").forEach((el) => show(el, mode !== "online"));
      const allDay = field("all_day");
      all("[data-time-field]").forEach((el) => show(el, !(allDay && allDay.checked)));
      const repeat = field("repeat");
      const kind = repeat ? repeat.value : "";
      all("[data-repeat-weeks]").forEach((el) => show(el, kind === "weeks"));
      all("[data-repeat-end]").forEach((el) => show(el, kind !== ""));
      const registration = field("registration");
      all("[data-registration-details]").forEach((el) => show(el, !registration || registration.checked));
      all("[data-topic-field]").forEach((el) => show(el, checked("discussion") === "link"));
    }

    const weekdays = parseJSON(form.dataset.weekdays, []);
    const ordinals = parseJSON(form.dataset.ordinals, {});
    function nameMonthly() {
      const start = field("start_date");
      const repeat = field("repeat");
      const option = repeat ? Array.from(repeat.options).find((o) => o.value === "monthly") : null;
      if (!start || !option) return;
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(start.value);
      if (!match) {
        option.textContent = form.dataset.monthlyAny || option.textContent;
        return;
      }
      const day = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
      const nth = Math.floor((day.getUTCDate() - 1) / 7) + 1;
      const weekday = (day.getUTCDay() + 6) % 7;  // Monday first, as Python counts
      const ordinal = ordinals[String(nth <= 4 ? nth : -1)];
      if (!ordinal || !weekdays[weekday]) return;
      option.textContent = (form.dataset.monthlyTemplate || "")
        .replace("{nth}", ordinal).replace("{weekday}", weekdays[weekday]);
    }

    form.addEventListener("change", update);
    const start = field("start_date");
    if (start) {
      start.addEventListener("change", nameMonthly);
      start.addEventListener("input", nameMonthly);
    }
    update();
    nameMonthly();
  }

  function start() {
    document.querySelectorAll("[data-event-form]").forEach(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
