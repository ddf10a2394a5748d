/* Plans: confirmation before irreversible actions, and no second submit of the same form.
   The pages work without it; the server refuses a double import on its own. No inline scripts (CSP). */
(function () {
  "use strict";

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
      return;
    }
    if (form.hasAttribute("data-once")) {
      if (form.getAttribute("data-sent") === "1") {
        e.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-disabled", "true");
    }
  });

  // On the import review page, an unticked item is greyed out so the reviewer sees what will be left out.
  function syncKeep(box) {
    var group = box.closest("[data-keep-group]");
    if (group) group.classList.toggle("left-out", !box.checked);
  }
  document.addEventListener("change", function (e) {
    var box = e.target;
    if (box instanceof HTMLInputElement && box.hasAttribute("data-keep")) syncKeep(box);
  });
})();
