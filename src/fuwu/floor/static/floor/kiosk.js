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

  // The business's form pre-filled from the customer's profile and last form (P4): values come masked from
  // the server; the confirmation sends back the signed token, never the ID number.
  let filled = null;
  async function prefill(ident) {
    filled = null;
    $("prefill").hidden = true;
    if (!chosen.form_kind || !/^\d{17}[\dXx]$/.test(ident)) return;
    try {
      const f = await Floor.api(`/customers/forms/${chosen.form_kind}/prefill`, {method: "POST", body: {id_number: ident}});
      if (!f.known_customer) return;
      filled = f;
      $("prefill-fields").innerHTML = f.fields.map((x) => `<label><span>${Floor.esc(x.label)}</span>` + (x.editable
        ? `<input name="${Floor.esc(x.name)}" value="${Floor.esc(x.value)}" autocomplete="off">`
        : `<span data-field="${Floor.esc(x.name)}">${Floor.esc(x.value)}</span>`) + `</label>`).join("");
      $("prefill").hidden = false;
    } catch (e) {
      Floor.connection(e);  // no form is no reason not to take a number
    }
  }

  $("services").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-code]");
    if (!btn) return;
    chosen = catalogue.find((s) => s.code === btn.dataset.code);
    $("confirm-title").textContent = chosen.prefix + " " + chosen.name;
    $("confirm-materials").innerHTML = chosen.materials.map((m) => `<li>${Floor.esc(m)}</li>`).join("");
    show("confirm");
    prefill($("card").value.replace(/\s/g, ""));
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
      if (filled) {
        const form = {token: filled.token};
        $("prefill-fields").querySelectorAll("input[name]").forEach((i) => { form[i.name] = i.value.trim(); });
        await Floor.api(`/customers/forms/${filled.kind}`, {method: "POST", body: form});
        filled = null;
      }
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
