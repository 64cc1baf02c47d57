// Discuss composer: live preview and drafts saved on the server as one types.
// Progressive enhancement: without this file the composer is a plain form whose "Preview"
// button re-renders the page with the preview.
(() => {
  "use strict";

  const SAVE_DELAY = 1500;
  const PREVIEW_DELAY = 600;

  function debounce(fn, delay) {
    let timer = null;
    const wrapped = (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => { timer = null; fn(...args); }, delay);
    };
    wrapped.pending = () => timer !== null;
    wrapped.cancel = () => { clearTimeout(timer); timer = null; };
    return wrapped;
  }

  function setupComposer(form) {
    const raw = form.querySelector("[data-composer-raw]");
    if (!raw) return;
    const csrf = (form.querySelector("input[name=csrf_token]") || {}).value || "";
    const status = form.querySelector("[data-draft-status]");
    const preview = form.querySelector("[data-composer-preview]");
    const previewBody = form.querySelector("[data-composer-preview-body]");
    const previewButton = form.querySelector("[data-composer-preview-button]");
    const draftUrl = form.dataset.draftUrl;
    const text = (name) => form.dataset["text" + name] || "";
    const fields = () => {
      const value = (name) => {
        const input = form.elements.namedItem(name);
        return input && typeof input.value === "string" ? input.value : "";
      };
      const data = { raw: raw.value, title: value("title"), category: value("category"),
                     tags: value("tags") };
      const replyTo = parseInt(value("reply_to"), 10);
      if (replyTo > 0) data.reply_to = replyTo;
      return data;
    };
    let sequence = parseInt(form.dataset.draftSequence || "0", 10) || 0;
    let lastSaved = JSON.stringify(fields());
    let stopped = false;

    function show(message, isError) {
      if (!status) return;
      status.textContent = message;
      status.classList.toggle("is-error", Boolean(isError));
    }

    function saveDraft(keepalive) {
      if (stopped || !draftUrl) return;
      const data = fields();
      const body = JSON.stringify(data);
      if (body === lastSaved) return;
      if (!data.raw.trim() && !data.title.trim()) return;
      show(text("Saving"));
      fetch(draftUrl, {
        method: "PUT",
        credentials: "same-origin",
        keepalive: Boolean(keepalive),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf,
                   "Accept": "application/json" },
        body: JSON.stringify({ data, sequence }),
      }).then((response) => response.json().catch(() => ({})).then((json) => {
        if (response.ok) {
          sequence = json.sequence || sequence + 1;
          lastSaved = body;
          show(text("Saved"));
        } else if (response.status === 409) {
          stopped = true;
          show(text("Conflict"), true);
        } else {
          show(json.error || text("Failed"), true);
        }
      })).catch(() => show(text("Failed"), true));
    }
    const scheduleSave = debounce(() => saveDraft(false), SAVE_DELAY);

    function renderPreview() {
      if (!preview || !previewBody) return;
      const value = raw.value;
      preview.hidden = false;
      if (!value.trim()) {
        previewBody.textContent = text("Empty");
        return;
      }
      const payload = new FormData();
      payload.append("raw", value);
      fetch(form.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
        body: payload,
      }).then((response) => response.json().then((json) => {
        // Cooked by the server's sanitizer: the same HTML the post will show.
        if (response.ok && typeof json.html === "string") previewBody.innerHTML = json.html;
        else if (json.error) previewBody.textContent = json.error;
      })).catch(() => {});
    }
    const schedulePreview = debounce(renderPreview, PREVIEW_DELAY);

    form.addEventListener("input", () => {
      scheduleSave();
      if (preview && !preview.hidden) schedulePreview();
    });
    if (previewButton) {
      previewButton.addEventListener("click", (event) => {
        event.preventDefault();
        renderPreview();
      });
    }
    form.addEventListener("submit", () => {
      // The post is on its way; its draft is deleted on the server once it is created.
      stopped = true;
      scheduleSave.cancel();
    });
    const flush = () => {
      if (scheduleSave.pending()) {
        scheduleSave.cancel();
        saveDraft(true);
      }
    };
    window.addEventListener("beforeunload", flush);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flush();
    });

    // An empty composer with no draft from the server: look for one (e.g. the reply box).
    if (draftUrl && !form.dataset.draftSequence && !raw.value.trim()) {
      fetch(draftUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((json) => {
          if (!json || !json.draft || raw.value.trim()) return;
          sequence = json.sequence || 0;
          for (const [name, value] of Object.entries(json.draft)) {
            const input = name === "raw" ? raw : form.elements.namedItem(name);
            if (input && "value" in input && typeof value !== "object" && !input.value) {
              input.value = String(value);
            }
          }
          lastSaved = JSON.stringify(fields());
          show(text("Restored"));
        }).catch(() => {});
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form[data-composer]")) setupComposer(form);
  });
})();
