/* Reports: confirmation before irreversible actions, no second submit, and the reason field of a
   pre-filled figure shown only once the figure is changed. The pages work without it. No inline scripts. */
(function () {
  "use strict";

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = e.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
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

  function normalise(text) {
    return String(text || "").trim().replace(/[\s.]/g, "").replace(",", ".");
  }

  function syncReason(box) {
    var input = document.getElementById(box.getAttribute("data-reason-for"));
    if (!input) return;
    var reason = box.querySelector("input, textarea");
    var changed = normalise(input.value) !== normalise(box.getAttribute("data-prefilled"));
    var hasText = reason && reason.value.trim() !== "";
    var hasError = box.querySelector(".error") !== null;
    box.hidden = !(changed || hasText || hasError);
  }

  function syncAll() {
    var boxes = document.querySelectorAll("[data-reason-for]");
    for (var i = 0; i < boxes.length; i++) syncReason(boxes[i]);
  }

  document.addEventListener("input", function (e) {
    var target = e.target;
    if (!target || !target.id) return;
    var box = document.querySelector('[data-reason-for="' + target.id + '"]');
    if (box) syncReason(box);
  });
  document.addEventListener("change", function (e) {
    var target = e.target;
    if (!target || !target.id) return;
    var box = document.querySelector('[data-reason-for="' + target.id + '"]');
    if (box) syncReason(box);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncAll);
  } else {
    syncAll();
  }
})();
