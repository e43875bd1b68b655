// Translated strings come from the page (#kiosk-text), as data-* attributes.
(function () {
  const T = document.getElementById("kiosk-text").dataset;
  const root = document.getElementById("kiosk");
  let outlet = root.dataset.outlet, catalogue = [], chosen = null, resetTimer = null;
  const $ = (id) => document.getElementById(id);

  function show(part) {
    ["services", "confirm", "slip"].forEach((p) => { $(p).hidden = p !== part; });
    document.querySelector(".kiosk-id").hidden = part !== "services";
  }

  async function load() {
    const outlets = await Floor.api("/outlets");
    const mine = outlets.find((o) => o.code === outlet) || outlets[0];
    outlet = mine.code;
    catalogue = mine.services;
    $("kiosk-title").textContent = mine.name + " · " + T.pleaseChooseYourBusiness;
    await refresh();
  }

  async function refresh() {
    const q = await Floor.api(`/outlets/${outlet}/queue`);
    const waiting = Object.fromEntries(q.services.map((s) => [s.code, s]));
    $("services").innerHTML = catalogue.map((s) => {
      const w = waiting[s.code] || {waiting: 0, estimated_wait_seconds: 0};
      return `<button type="button" data-code="${Floor.esc(s.code)}">${Floor.esc(s.prefix)} ${Floor.esc(s.name)}` +
        `<small>${T.waiting} ${w.waiting} · ${T.about} ${Floor.minutes(w.estimated_wait_seconds)} ${T.min}</small></button>`;
    }).join("");
    Floor.connection(null);
  }

  $("services").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-code]");
    if (!btn) return;
    chosen = catalogue.find((s) => s.code === btn.dataset.code);
    $("confirm-title").textContent = chosen.prefix + " " + chosen.name;
    $("confirm-materials").innerHTML = chosen.materials.map((m) => `<li>${Floor.esc(m)}</li>`).join("");
    show("confirm");
  });
  $("confirm-no").addEventListener("click", () => show("services"));
  $("confirm-yes").addEventListener("click", async () => {
    $("kiosk-error").textContent = "";
    const ident = $("card").value.replace(/\s/g, ""), body = {service_code: chosen.code, channel: Floor.hasToken ? "kiosk" : "lobby"};
    if (/^1\d{10}$/.test(ident)) body.phone = ident;
    else if (/^\d{17}[\dXx]$/.test(ident)) body.id_number = ident;
    else if (ident) body.customer_card = ident;
    if ($("appointment").value.trim()) body.appointment_code = $("appointment").value.trim();
    try {
      const t = await Floor.api(`/outlets/${outlet}/tickets`, {method: "POST", body, idempotent: Floor.newKey()});
      $("slip-number").textContent = t.number;
      $("slip-service").textContent = t.service_name;
      $("slip-ahead").textContent = t.position - 1;
      $("slip-wait").textContent = Floor.minutes(t.estimated_wait_seconds);
      $("slip-materials").innerHTML = t.materials.map((m) => `<li>${Floor.esc(m)}</li>`).join("");
      $("slip-qr-box").hidden = !t.mobile_qr_url;
      if (t.mobile_qr_url) { $("slip-qr").src = t.mobile_qr_url; $("slip-qr-box").dataset.url = t.mobile_url; }
      $("card").value = ""; $("appointment").value = "";
      show("slip");
      clearTimeout(resetTimer); resetTimer = setTimeout(() => { show("services"); refresh(); }, 15000);
    } catch (e) {
      Floor.connection(e);
      if (e.status && e.status < 500 && e.status !== 401 && e.status !== 403) $("kiosk-error").textContent = e.message;
      show("services");
    }
  });
  $("slip-done").addEventListener("click", () => { clearTimeout(resetTimer); show("services"); refresh(); });
  load().catch(Floor.connection);
  // Every few seconds: the waiting counts, and whether the kiosk can still issue at all.
  setInterval(() => {
    if (!catalogue.length) { load().catch(Floor.connection); return; }
    if (!$("services").hidden) refresh().catch(Floor.connection);
  }, 4000);
})();
