/* danvan — small progressive enhancements; the site works without them. No inline scripts (CSP). */
(function () {
  "use strict";

  // A table wider than the screen scrolls inside its own box; keyboard users must be able to reach
  // that box to scroll it (WCAG 2.1.1), so it becomes focusable while, and only while, it overflows.
  var SCROLLERS = ".table-wrap, main table";

  function labelFor(el) {
    var table = el.tagName === "TABLE" ? el : el.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var node = el;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return "";
  }

  function markScrollers(root) {
    var list = (root || document).querySelectorAll(SCROLLERS);
    for (var i = 0; i < list.length; i++) {
      var el = list[i];
      if (el.tagName === "TABLE" && el.parentElement && el.parentElement.classList.contains("table-wrap")) continue;
      var overflows = el.scrollWidth > el.clientWidth + 1;
      if (overflows && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("data-dv-scroller", "");
        if (el.tagName !== "TABLE") el.setAttribute("role", "region");
        if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
          var label = labelFor(el);
          if (label) el.setAttribute("aria-label", label);
        }
      } else if (!overflows && el.hasAttribute("data-dv-scroller")) {
        el.removeAttribute("tabindex");
        el.removeAttribute("data-dv-scroller");
        if (el.tagName !== "TABLE") el.removeAttribute("role");
      }
    }
  }

  var pending = null;
  function later() {
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(function () { pending = null; markScrollers(); }, 150);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { markScrollers(); });
  } else {
    markScrollers();
  }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", function (e) { markScrollers(e.target); });
})();
