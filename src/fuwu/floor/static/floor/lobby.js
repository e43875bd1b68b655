// Translated strings come from the page (#lobby-text), as data-* attributes.
(function () {
  const T = document.getElementById("lobby-text").dataset;
  const outlet = document.getElementById("lobby").dataset.outlet;
  const $ = (id) => document.getElementById(id);
  const CHANNELS = JSON.parse(document.getElementById("divert-channels").textContent);
  async function refresh() {
    try {
      const q = await Floor.api(`/outlets/${outlet}/queue`);
      $("waiting-count").textContent = q.waiting.length;
      const options = Object.entries(CHANNELS).map(([k, v]) => `<option value="${k}">${Floor.esc(v)}</option>`).join("");
      $("waiting").innerHTML = q.waiting.map((w) =>
        `<tr><td>${Floor.esc(w.number)}${w.is_vip ? ' <span class="tag vip">VIP</span>' : ""}${w.is_special_group ? ' <span class="tag special">' + T.specialCare + '</span>' : ""}</td>` +
        `<td>${Floor.esc(w.service_name || w.service_code)}</td><td>${Floor.minutes(w.waited_seconds)}</td><td>${Floor.minutes(w.estimated_wait_seconds)}</td>` +
        `<td>${(w.actions || []).includes("divert") ? `<select data-for="${w.id}" aria-label="${T.divertTo}">${options}</select> <button type="button" data-divert="${w.id}">${T.divert}</button>` : ""}</td></tr>`).join("");
      const vips = q.waiting.filter((w) => w.is_vip || w.is_special_group);
      $("vip-list").innerHTML = vips.length ? vips.map((w) =>
        `<li><strong>${Floor.esc(w.number)}</strong> ${w.is_vip ? "VIP" : T.specialCare} · ${T.waited} ${Floor.minutes(w.waited_seconds)} ${T.min}</li>`).join("")
        : `<li class="muted">${T.noneWaiting}</li>`;
    } catch (e) { /* next refresh retries */ }
  }
  $("waiting").addEventListener("click", async (ev) => {
    const id = ev.target.dataset.divert;
    if (!id) return;
    const channel = document.querySelector(`select[data-for="${id}"]`).value;
    try {
      const t = await Floor.api(`/tickets/${id}/divert`, {method: "POST", body: {channel}, idempotent: Floor.newKey()});
      $("status").textContent = `${t.number} ${T.diverted}`;
    } catch (e) { $("status").textContent = e.message; }
    refresh();
  });
  $("issue").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = new FormData(ev.target), ident = String(form.get("ident") || "").replace(/\s/g, "");
    const body = {service_code: form.get("service_code"), channel: "lobby"};
    if (/^1\d{10}$/.test(ident)) body.phone = ident; else if (/^\d{17}[\dXx]$/.test(ident)) body.id_number = ident; else if (ident) body.customer_card = ident;
    try {
      const t = await Floor.api(`/outlets/${outlet}/tickets`, {method: "POST", body, idempotent: Floor.newKey()});
      $("issued").textContent = `${t.number} · ${T.ahead} ${t.position - 1} · ${T.about} ${Floor.minutes(t.estimated_wait_seconds)} ${T.min}`;
      ev.target.reset();
    } catch (e) { $("issued").textContent = e.message; }
    refresh();
  });
  refresh(); setInterval(refresh, 4000);
})();
