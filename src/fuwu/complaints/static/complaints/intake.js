// Complaint intake: the suggested JR/T 0169 codes pre-fill the code fields as the text is typed (#19).
// A field the user has chosen by hand is never overwritten; a pre-filled one says so until the user
// confirms it (by choosing, or by registering the complaint with it). Clicking a suggestion uses it.
(function () {
  "use strict";
  var NAMES = {channel: "channel_code", category: "category_code", reason: "reason_code", severity: "severity"};
  var form = document.getElementById("intake");
  if (!form) return;

  function select(dim) {
    return form.querySelector('select[name="' + NAMES[dim] + '"]');
  }

  function mark(sel, on) {
    var note = sel.parentNode.querySelector(".prefilled");
    if (on && !note) {
      note = document.createElement("small");
      note.className = "prefilled";
      note.setAttribute("data-testid", "prefilled");
      note.textContent = form.dataset.prefilledText || "";
      sel.insertAdjacentElement("afterend", note);
    } else if (!on && note) {
      note.remove();
    }
  }

  function use(dim, code, byHand) {
    var sel = select(dim);
    if (!sel || !sel.querySelector('option[value="' + CSS.escape(code) + '"]')) return;
    if (!byHand && sel.dataset.touched === "1") return;
    sel.value = code;
    if (byHand) sel.dataset.touched = "1";
    mark(sel, !byHand);
  }

  form.addEventListener("change", function (ev) {
    // Pre-filling sets .value, which fires no change event: every change seen here is the user's.
    if (ev.target.matches("select")) {
      ev.target.dataset.touched = "1";
      mark(ev.target, false);
    }
  });
  form.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-dim][data-code]");
    if (button) use(button.dataset.dim, button.dataset.code, true);
  });
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target.id !== "suggestions") return;
    ev.detail.target.querySelectorAll("button[data-top]").forEach(function (b) {
      use(b.dataset.dim, b.dataset.code, false);
    });
  });
})();
