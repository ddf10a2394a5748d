/* ALTCHA for danvan's public forms (templates/portal/_altcha.html). Loaded as a module after the
   Vietnamese strings and before the widget (npm altcha, "external" build: no inline worker or style).
   - registers the PBKDF2 worker, served from our own /static (its hashed URL is on the element);
   - when a solved challenge expires (someone wrote for a long time), resets the widget so that the
     next "Send" solves a fresh one instead of posting a stale payload. No inline script (CSP). */
const $altcha = globalThis.$altcha; // made by vi.js just before (the widget keeps an existing one)

const first = document.querySelector("altcha-widget[data-worker]");
if (first && $altcha) {
  const url = first.getAttribute("data-worker");
  for (const name of ["PBKDF2/SHA-256", "PBKDF2/SHA-384", "PBKDF2/SHA-512"]) {
    $altcha.algorithms.set(name, () => new Worker(url));
  }
}

for (const el of document.querySelectorAll("altcha-widget")) {
  el.addEventListener("expired", () => {
    if (typeof el.reset === "function") el.reset();
  });
}
