// Blog story editor: the excerpt's character count, live preview, autosave, the edit lock's
// heartbeat (and giving the lock up on leaving), and uploading the featured image at once.
// Progressive enhancement: without this file the editor is a plain form whose "Preview"
// button re-renders the page, the image is uploaded with the form, and the lock expires
// on its own.
(() => {
  "use strict";

  const AUTOSAVE_EVERY = 5000;
  const PREVIEW_DELAY = 600;

  function debounce(fn, delay) {
    let timer = null;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(() => { timer = null; fn(); }, delay);
    };
  }

  // Characters as the server counts them (code points of the trimmed text).
  const length = (text) => Array.from(text.trim()).length;

  function setupEditor(form) {
    const csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
    const data = form.dataset;
    const text = (name) => data["text" + name] || "";
    const field = (name) => form.elements.namedItem(name);
    const value = (name) => {
      const input = field(name);
      return input && typeof input.value === "string" ? input.value : "";
    };
    const status = form.querySelector("[data-editor-status]");
    const alertBox = document.querySelector("[data-editor-alert]");
    const saveButtons = Array.from(form.querySelectorAll("[data-save]"));

    let submitting = false;
    let lost = false;

    function show(message, isError) {
      if (!status) return;
      status.textContent = message;
      status.classList.toggle("is-error", Boolean(isError));
    }

    function post(url, body, extra) {
      const headers = { "X-CSRFToken": csrf, "Accept": "application/json" };
      if (!(body instanceof FormData)) headers["Content-Type"] = "application/json";
      return fetch(url, Object.assign({
        method: "POST",
        credentials: "same-origin",
        headers,
        body: body instanceof FormData ? body : JSON.stringify(body || {}),
      }, extra || {})).then((response) => response.json().catch(() => ({}))
        .then((json) => ({ ok: response.ok, status: response.status, json })));
    }

    // --- the excerpt's length against the checklist's limits ---------------------------
    const excerpt = field("excerpt");
    const counter = form.querySelector("[data-excerpt-count]");
    if (excerpt && counter) {
      const low = parseInt(counter.dataset.min, 10) || 0;
      const high = parseInt(counter.dataset.max, 10) || Infinity;
      const update = () => {
        const n = length(excerpt.value);
        counter.textContent = (counter.dataset.template || "{count}").replace("{count}", String(n));
        counter.classList.toggle("is-off", n < low || n > high);
      };
      excerpt.addEventListener("input", update);
      update();
    }

    // --- live preview --------------------------------------------------------------------
    const preview = form.querySelector("[data-preview]");
    const previewBody = form.querySelector("[data-preview-body]");
    const previewButton = form.querySelector("[data-preview-button]");
    const body = field("body");

    function renderPreview() {
      if (!preview || !previewBody || !body) return;
      preview.hidden = false;
      if (!body.value.trim()) {
        previewBody.textContent = text("Empty");
        return;
      }
      post(data.previewUrl, { body: body.value }).then(({ ok, json }) => {
        // Cooked by the server's sanitizer: the same HTML the story will show.
        if (ok && typeof json.html === "string") previewBody.innerHTML = json.html;
        else if (json.error) previewBody.textContent = json.error;
      }).catch(() => {});
    }
    const schedulePreview = debounce(renderPreview, PREVIEW_DELAY);
    if (previewButton) {
      previewButton.addEventListener("click", (event) => {
        event.preventDefault();
        if (preview && !preview.hidden && previewButton.dataset.open) {
          preview.hidden = true;
          delete previewButton.dataset.open;
          return;
        }
        previewButton.dataset.open = "1";
        renderPreview();
      });
    }
    if (body) body.addEventListener("input", () => {
      if (preview && !preview.hidden) schedulePreview();
    });

    // --- autosave --------------------------------------------------------------------------
    const paused = Boolean(data.autosavePaused);
    const snapshot = () => JSON.stringify({
      base_revision: parseInt(value("base_revision"), 10) || 0,
      title: value("title"), excerpt: value("excerpt"), body: value("body"),
    });
    let lastKept = snapshot();
    let saving = false;

    function autosave(keepalive) {
      if (submitting || saving || !data.autosaveUrl) return;
      const current = snapshot();
      if (current === lastKept) return;
      if (paused) {
        show(text("Paused"), true);
        return;
      }
      saving = true;
      show(text("Saving"));
      post(data.autosaveUrl, JSON.parse(current), { keepalive: Boolean(keepalive) })
        .then(({ ok, json }) => {
          if (ok) {
            lastKept = current;
            show(text("Saved"));
          } else {
            show(json.error || text("Failed"), true);
          }
        })
        .catch(() => show(text("Failed"), true))
        .finally(() => { saving = false; });
    }
    const autosaveTimer = setInterval(() => autosave(false), AUTOSAVE_EVERY);

    // --- the lock: heartbeat, and giving it up on leaving ---------------------------------
    function lockLost(message) {
      lost = true;
      for (const button of saveButtons) button.disabled = true;
      if (alertBox) {
        alertBox.textContent = message || text("Lost");
        alertBox.hidden = false;
      }
    }

    let heartbeatTimer = null;
    function heartbeat() {
      if (lost || submitting || !data.lockUrl) return;
      post(data.lockUrl, {}).then(({ ok, status: code, json }) => {
        if (ok) return;
        if (code === 409 || code === 403 || code === 404) {
          clearInterval(heartbeatTimer);
          lockLost(json.error);
        }
      }).catch(() => {}); // offline for a moment: the next beat retries
    }
    if (data.lockHeld) {
      const seconds = parseInt(data.heartbeat, 10) || 30;
      heartbeatTimer = setInterval(heartbeat, seconds * 1000);
    }

    function release() {
      if (submitting || lost || !data.lockHeld || !data.unlockUrl || !navigator.sendBeacon) return;
      const payload = new FormData();
      payload.append("csrf_token", csrf);
      payload.append("beacon", "1");
      navigator.sendBeacon(data.unlockUrl, payload);
    }

    form.addEventListener("submit", () => {
      // The save is on its way; the server keeps the lock and drops the autosave.
      submitting = true;
      clearInterval(autosaveTimer);
    });
    window.addEventListener("pagehide", () => {
      autosave(true);
      release();
    });
    window.addEventListener("pageshow", (event) => {
      // Back from the browser's cache: take the lock again (or learn who has it).
      if (event.persisted) {
        submitting = false;
        heartbeat();
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") autosave(true);
    });

    // --- the featured image, uploaded as soon as it is chosen -----------------------------
    const file = field("image_file");
    const url = field("image_url");
    const thumb = form.querySelector("[data-image-thumb]");
    if (file && url && data.uploadUrl) {
      file.addEventListener("change", () => {
        if (!file.files || !file.files.length) return;
        const payload = new FormData();
        payload.append("image", file.files[0]);
        show(text("Uploading"));
        post(data.uploadUrl, payload).then(({ ok, json }) => {
          if (!ok) {
            show(json.error || text("Failed"), true);
            return;
          }
          url.value = json.url;
          file.value = "";
          if (thumb) {
            thumb.src = json.url;
            thumb.hidden = false;
          }
          show(text("Uploaded"));
        }).catch(() => show(text("Failed"), true));
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-story-editor]")) setupEditor(form);
  });
})();
