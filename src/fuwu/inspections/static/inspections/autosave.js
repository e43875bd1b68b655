// Each item saves itself when answered, so a lost connection loses nothing already saved. An item whose save
// failed keeps its input on the page, is marked, and is retried when the browser is back online. The words
// shown come translated from the page (data-saved-text, data-offline-text).
(function () {
  "use strict";
  var pending = new Set();
  function mark(form, text, failed) {
    var s = form.querySelector(".insp-state");
    if (s) { s.textContent = text; s.classList.toggle("failed", !!failed); }
  }
  function save(form) {
    var data = new FormData(form);
    mark(form, form.dataset.savingText || "…", false);
    return fetch(form.action, {method: "POST", body: data, headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (res) {
        if (!res.ok) {
          var err = res.body && res.body.error;
          var reason = err && err.details && err.details[0] ? err.details[0].reason : (err ? err.message : "");
          mark(form, reason, true);
          return;
        }
        pending.delete(form);
        var photo = form.querySelector("input[type=file]");
        if (photo && photo.value) { window.location.reload(); return; }
        mark(form, form.dataset.savedText, false);
        var running = document.getElementById("running");
        if (running && res.body.score !== null) { running.textContent = res.body.score; }
      })
      .catch(function () {
        pending.add(form);
        mark(form, form.dataset.offlineText, true);
      });
  }
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("change", function () { save(form); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); save(form); });
  });
  window.addEventListener("online", function () { pending.forEach(save); });
})();
