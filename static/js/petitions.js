// Intake form: the protected identity fields are shown only for a denunciation (they still work without JS).
(function () {
  "use strict";
  function sync() {
    var kind = document.getElementById("id_kind");
    var box = document.querySelector("[data-testid=identity-fields]");
    if (!kind || !box) { return; }
    var denunciation = kind.value === "denunciation";
    box.hidden = !denunciation;
    ["id_filer_name", "id_filer_address"].forEach(function (id) {
      var el = document.getElementById(id);
      var f = el && el.closest(".field"); if (f && !f.classList.contains("has-error")) { f.hidden = denunciation; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    if (kind) { kind.addEventListener("change", sync); sync(); }
  });
})();
