// Behaviour the templates ask for by attribute, so no page needs inline script (CSP script-src 'self', #18).
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form (outlet, counter, measure pickers).
  document.addEventListener("change", function (ev) {
    if (ev.target.matches("[data-autosubmit]") && ev.target.form) ev.target.form.submit();
  });
  // <form hx-… data-swap-422>: a 422 carries the form re-rendered with its errors; show it instead of
  // dropping it as htmx does with any 4xx. The event fires on the swap target, so ask the element
  // that sent the request.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var sender = (ev.detail.requestConfig && ev.detail.requestConfig.elt) || ev.target;
    if (ev.detail.xhr.status === 422 && sender.closest("[data-swap-422]")) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });
})();
