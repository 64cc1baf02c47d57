// Small progressive enhancements; every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // Close the account menu when clicking elsewhere.
  document.addEventListener("click", (event) => {
    for (const menu of document.querySelectorAll("details.user-menu[open]")) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    }
  });
});
