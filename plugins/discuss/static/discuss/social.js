// Discuss: social.js — likes, bookmarks and notification levels without a page reload.
// Progressive enhancement: every form works without this file (POST, then a redirect back).
(function () {
  "use strict";

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response
        .json()
        .catch(function () { return { ok: false }; })
        .then(function (data) {
          data.status = response.status;
          return data;
        });
    });
  }

  function say(form, text) {
    var box = form.closest(".post-actions");
    var status = form.querySelector(".social-message") ||
      (box && box.querySelector(":scope > .social-message"));
    if (status) status.textContent = text || "";
  }

  function failed(form, data) {
    if (data.error) {
      say(form, data.error);
      return;
    }
    form.submit(); // let the page explain (errors re-render the form)
  }

  function onLike(form, data) {
    var liked = !!data.liked;
    form.action = liked ? form.dataset.unlikeUrl : form.dataset.likeUrl;
    form.classList.toggle("is-liked", liked);
    var label = liked ? form.dataset.unlikeLabel : form.dataset.likeLabel;
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    button.title = label;
    form.querySelector(".like-label").textContent = label;
    var count = form.querySelector(".like-count");
    var n = Number(data.like_count) || 0;
    count.dataset.count = String(n);
    count.textContent = n ? n.toLocaleString(document.documentElement.lang || undefined) : "";
    say(form, "");
  }

  function onBookmark(form, data, kind) {
    var box = form.closest(".bookmark-box");
    if (!box) return;
    var saved = kind === "bookmark" && data.bookmarked;
    var main = box.querySelector(".bookmark-form");
    box.classList.toggle("is-bookmarked", saved);
    box.querySelector(".bookmark-state").textContent = saved
      ? main.dataset.savedLabel
      : main.dataset.unsavedLabel;
    var remove = box.querySelector(".unbookmark-form");
    if (remove) remove.classList.toggle("is-hidden", !saved);
    if (!saved) {
      main.querySelectorAll("input[name=name], input[name=reminder_at]").forEach(function (input) {
        input.value = "";
      });
    }
    box.open = false;
    say(form, "");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form.dataset && form.dataset.social;
    if (!kind || !window.fetch || !window.FormData) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit], button:not([type])");
    if (button) button.disabled = true;
    send(form)
      .then(function (data) {
        if (!data.ok) return failed(form, data);
        if (kind === "like") onLike(form, data);
        else onBookmark(form, data, kind);
      })
      .catch(function () { form.submit(); })
      .then(function () { if (button) button.disabled = false; });
  });

  // Notification levels: choosing saves at once; the button stays for keyboards without JS.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("form[data-autosubmit] select")) return;
    var form = select.form;
    var option = select.options[select.selectedIndex];
    var hint = form.querySelector(".hint");
    if (hint && option && option.dataset.hint) hint.textContent = option.dataset.hint;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.classList.add("js-autosubmit");
  });
})();

// Forms that destroy something ask first (data-confirm holds the translated question).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
