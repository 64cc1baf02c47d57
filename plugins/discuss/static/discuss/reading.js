// Discuss: reading.js — progressive enhancements for reading. Without it every link still
// works: "N replies" and "in reply to" open their own pages, colours come from SVG swatches,
// and opening a topic page already counts as reading the posts it shows.
(() => {
  "use strict";

  const HEX = /^#[0-9a-fA-F]{6}$/;
  const REPORT_EVERY_MS = 10000;
  const SEEN_AFTER_MS = 1000;
  const IDLE_AFTER_MS = 3 * 60 * 1000;

  // Category colours: a custom property the stylesheet uses for borders.
  function paintColours(root) {
    for (const element of root.querySelectorAll("[data-color]")) {
      const colour = element.dataset.color;
      if (HEX.test(colour)) element.style.setProperty("--cat-color", colour);
    }
  }

  // Threads: "N replies", "in reply to" and "N likes" open inline instead of a new page.
  function setUpThreads(root) {
    root.addEventListener("click", async (event) => {
      const link = event.target.closest("a[data-expand]");
      if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey ||
          event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      const open = link._discussSlot;
      if (open) {
        const hidden = !open.hidden;
        open.hidden = hidden;
        link.setAttribute("aria-expanded", hidden ? "false" : "true");
        return;
      }
      if (link.dataset.loading) return;
      link.dataset.loading = "1";
      try {
        const response = await fetch(link.dataset.expand, {
          credentials: "same-origin",
          headers: { "X-Requested-With": "fetch", Accept: "text/html" },
        });
        if (!response.ok) throw new Error(String(response.status));
        const slot = document.createElement("div");
        slot.className = "thread-slot";
        slot.innerHTML = await response.text();
        const post = link.closest(".post");
        if (link.dataset.expandWhere === "before" && post) {
          post.querySelector(".post-body").before(slot);
        } else if (post) {
          // Opened threads stack under the post in the order they were opened.
          let threads = post.querySelector(".post-threads");
          if (!threads) {
            threads = document.createElement("div");
            threads.className = "post-threads";
            post.querySelector(".post-foot").after(threads);
          }
          threads.append(slot);
        } else {
          link.after(slot);
        }
        paintColours(slot);
        link._discussSlot = slot;
        link.setAttribute("aria-expanded", "true");
        const id = "thread-" + Math.random().toString(36).slice(2);
        slot.id = id;
        link.setAttribute("aria-controls", id);
      } catch (error) {
        window.location.href = link.href; // the page without JavaScript
      } finally {
        delete link.dataset.loading;
      }
    });
  }

  // Reading: which posts were on screen for a second while the tab was visible, and for
  // how long the reader was active; reported every few seconds and when the tab hides.
  function setUpReadReports(topic) {
    const url = topic.dataset.readUrl;
    const token = topic.dataset.csrf ||
      (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
    if (!url || !("IntersectionObserver" in window)) return;

    const since = new Map(); // post number -> when it came on screen
    let highest = 0;
    let reported = 0;
    let seconds = 0;
    let lastActivity = Date.now();

    const visible = () => document.visibilityState === "visible";
    const note = () => { lastActivity = Date.now(); };
    for (const name of ["scroll", "keydown", "mousemove", "pointerdown", "touchstart"]) {
      window.addEventListener(name, note, { passive: true });
    }

    const observer = new IntersectionObserver((entries) => {
      const now = Date.now();
      for (const entry of entries) {
        const number = Number(entry.target.dataset.postNumber);
        if (entry.isIntersecting) {
          if (!since.has(number)) since.set(number, now);
        } else {
          if (since.has(number) && now - since.get(number) >= SEEN_AFTER_MS && visible()) {
            highest = Math.max(highest, number);
          }
          since.delete(number);
        }
      }
    }, { threshold: 0.4 });
    for (const post of topic.querySelectorAll(".post[data-post-number]")) observer.observe(post);

    // Every second: count active time, and posts on screen for long enough.
    window.setInterval(() => {
      if (!visible()) return;
      const now = Date.now();
      if (now - lastActivity < IDLE_AFTER_MS) seconds += 1;
      for (const [number, start] of since) {
        if (now - start >= SEEN_AFTER_MS) highest = Math.max(highest, number);
      }
    }, 1000);

    function report() {
      if (highest <= reported && seconds < 1) return;
      const body = JSON.stringify({ highest: Math.max(highest, reported), seconds });
      reported = Math.max(highest, reported);
      seconds = 0;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": token,
          "X-Requested-With": "fetch",
        },
        body,
      }).catch(() => {});
    }

    window.setInterval(report, REPORT_EVERY_MS);
    document.addEventListener("visibilitychange", () => {
      if (!visible()) {
        report();
      } else {
        // Back on the tab: what is on screen starts counting again.
        const now = Date.now();
        for (const number of since.keys()) since.set(number, now);
        note();
      }
    });
    window.addEventListener("pagehide", report);
  }

  document.addEventListener("DOMContentLoaded", () => {
    paintColours(document);
    const main = document.getElementById("main") || document.body;
    setUpThreads(main);
    const topic = document.getElementById("topic");
    if (topic) setUpReadReports(topic);
  });
})();
