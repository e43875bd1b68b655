// Kiosk: large-print mode (适老化) and appointment check-in (#19). A static file: no inline script (CSP).
// Large print: bigger type, high contrast, the four most common businesses first ("more" shows the rest);
// the choice lasts for the browser session (sessionStorage), so a kiosk set up for older customers stays so.
(function () {
  "use strict";
  var KEY = "fuwu.kiosk.largePrint";
  var $ = function (id) { return document.getElementById(id); };
  var root = $("kiosk");
  if (!root) return;
  var toggle = $("care-toggle"), more = $("more-services"), services = $("services");
  var resetTimer = null;

  function stored() {
    try { return sessionStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function setCare(on) {
    document.body.classList.toggle("kiosk-care", on);
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.textContent = on ? toggle.dataset.on : toggle.dataset.off;
    services.classList.remove("show-all");
    more.textContent = more.dataset.more;
    try { sessionStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
  }

  toggle.addEventListener("click", function () { setCare(!document.body.classList.contains("kiosk-care")); });
  more.addEventListener("click", function () {
    var all = services.classList.toggle("show-all");
    more.textContent = all ? more.dataset.less : more.dataset.more;
  });
  setCare(stored());

  // --- appointment check-in ---------------------------------------------------------------------------
  var parts = ["services", "confirm", "slip", "checkin"];

  function only(part) {
    parts.forEach(function (p) { $(p).hidden = p !== part; });
    document.querySelector(".kiosk-id").hidden = part !== "services";
  }

  // The tools and "more" belong to the business list: they follow it whichever script shows or hides it.
  function followServices() {
    $("kiosk-tools").hidden = services.hidden;
    more.parentNode.hidden = services.hidden;
    if (!services.hidden) $("checkin").hidden = true;
  }
  new MutationObserver(followServices).observe(services, {attributes: true, attributeFilter: ["hidden"]});
  followServices();

  async function outletCode() {
    if (root.dataset.outlet) return root.dataset.outlet;
    var outlets = await Floor.api("/outlets");
    return outlets[0].code;
  }

  $("checkin-open").addEventListener("click", function () {
    $("checkin-code").value = "";
    $("checkin-error").textContent = "";
    only("checkin");
    $("checkin-code").focus();
  });
  $("checkin-no").addEventListener("click", function () { only("services"); });
  $("slip-done").addEventListener("click", function () { clearTimeout(resetTimer); $("slip-appointment").hidden = true; });

  async function checkIn() {
    var code = $("checkin-code").value.replace(/\s/g, "");
    $("checkin-error").textContent = "";
    if (!code) return;
    try {
      var outlet = await outletCode();
      var t = await Floor.api("/outlets/" + encodeURIComponent(outlet) + "/appointments/check-in",
        {method: "POST", body: {code: code}, idempotent: Floor.newKey()});
      $("slip-number").textContent = t.number;
      $("slip-service").textContent = t.service_name;
      $("slip-ahead").textContent = t.position - 1;
      $("slip-wait").textContent = Floor.minutes(t.estimated_wait_seconds);
      $("slip-materials").innerHTML = t.materials.map(function (m) { return "<li>" + Floor.esc(m) + "</li>"; }).join("");
      $("slip-qr-box").hidden = !t.mobile_qr_url;
      if (t.mobile_qr_url) { $("slip-qr").src = t.mobile_qr_url; $("slip-qr-box").dataset.url = t.mobile_url; }
      $("slip-appointment").hidden = false;
      only("slip");
      clearTimeout(resetTimer);
      resetTimer = setTimeout(function () { $("slip-done").click(); }, 15000);
    } catch (e) {
      Floor.connection(e);
      if (e.status && e.status < 500 && e.status !== 401 && e.status !== 403) $("checkin-error").textContent = e.message;
    }
  }
  $("checkin-yes").addEventListener("click", checkIn);
  $("checkin-code").addEventListener("keydown", function (ev) { if (ev.key === "Enter") checkIn(); });
})();
