// Intake form: a suggested code button ([data-dim][data-code]) fills the matching select.
document.addEventListener("click", function (ev) {
  var button = ev.target.closest("#intake button[data-dim][data-code], .cmp-suggest button[data-dim][data-code]");
  if (!button) return;
  var names = {channel: "channel_code", category: "category_code", reason: "reason_code", severity: "severity"};
  var select = document.querySelector('#intake select[name="' + names[button.dataset.dim] + '"]');
  if (select) { select.value = button.dataset.code; }
});
