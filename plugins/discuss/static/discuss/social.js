// Discuss: social.js — likes, bookmarks, notification levels and the flag dialog without a
// page reload.
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

// Flagging: the topic page holds one dialog, a <template>; "Flag" under a post (a link to the
// post's flag page, which works without script) opens a copy of it there, for that post.
(function () {
  "use strict";

  var template = document.getElementById("flag-dialog-template");
  if (!template || !template.content) return;
  var open = null; // { dialog, button } while a dialog is open

  function close(refocus) {
    if (!open) return;
    var shown = open;
    open = null;
    shown.dialog.remove();
    shown.button.setAttribute("aria-expanded", "false");
    shown.button.removeAttribute("aria-controls");
    if (refocus) shown.button.focus();
  }

  function show(button) {
    var dialog = template.content.firstElementChild.cloneNode(true);
    dialog.querySelector("form").setAttribute("action", button.getAttribute("href"));
    dialog.querySelectorAll(".flag-author-name").forEach(function (slot) {
      slot.textContent = button.dataset.flagAuthor || "";
    });
    var whole = dialog.querySelector(".flag-topic");
    if (whole) whole.hidden = !("flagFirst" in button.dataset);
    button.parentNode.appendChild(dialog);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", dialog.id);
    open = { dialog: dialog, button: button };
    var first = dialog.querySelector("input[name=reason]:not([disabled])");
    if (first) first.focus();
  }

  function toggle(button) {
    var again = open && open.button === button;
    close(false);
    if (!again) show(button);
  }

  document.querySelectorAll("a.flag-button").forEach(function (link) {
    link.setAttribute("role", "button");
    link.setAttribute("aria-haspopup", "dialog");
    link.setAttribute("aria-expanded", "false");
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest("a.flag-button");
    if (button) {
      // A new tab or window asked for: the flag page, as without script.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      toggle(button);
    } else if (open && target.closest(".flag-cancel")) {
      close(true);
    } else if (open && !open.dialog.contains(target)) {
      close(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape" && open &&
        (open.dialog.contains(target) || target === open.button)) {
      event.preventDefault();
      close(true);
    } else if (event.key === " " && target instanceof Element && target.matches("a.flag-button")) {
      event.preventDefault(); // a button's key, not a scroll
      toggle(target);
    }
  });
})();

// Forms that destroy something ask first (data-confirm holds the translated question).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
}, true);
