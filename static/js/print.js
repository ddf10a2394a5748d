// A "Print" button without inline script (the pages carry no inline handlers, ready for a strict CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
