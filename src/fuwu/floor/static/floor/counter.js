// Translated strings come from the page (#counter-text), as data-* attributes.
(function () {
  const T = document.getElementById("counter-text").dataset;
  const root = document.getElementById("console");
  if (!root) return;
  const counter = root.dataset.counter, outlet = root.dataset.outlet;
  const $ = (id) => document.getElementById(id);
  const TIERS = {wealth: T.wealth, private: T.privateBanking, normal: T.standard};
  const STATES = {called: T.called, serving: T.beingServed};
  let current = null;
  let shownCustomer = "";

  function render(t, actions) {
    current = t;
    $("current-number").textContent = t ? t.number : "—";
    $("current-info").textContent = t ? `${t.service_name} · ${STATES[t.status] || ""}` + (t.recall_count ? ` · ${T.recalled} ${t.recall_count}` : "") : "";
    const c = t && t.customer;
    $("customer").innerHTML = c ? `${Floor.esc(c.name_masked)} · ${Floor.esc(TIERS[c.tier] || "")}` +
      (c.is_special_group ? ` · <span class="tag special">${T.specialCare}</span>` : "") +
      ` · ${T.card} ${Floor.esc(c.card_masked)} · ${T.phone} ${Floor.esc(c.phone_masked)}` : "";
    // The compact customer 360 and its suggestions come from the customers app as an htmx fragment (P1, P3).
    const no = c ? c.customer_no : "";
    if (no !== shownCustomer) {
      shownCustomer = no;
      const slot = $("customer-360-slot");
      slot.innerHTML = no ? `<div hx-get="/customers/${encodeURIComponent(no)}/compact/" hx-trigger="load" hx-swap="outerHTML"></div>` : "";
      if (no && window.htmx) htmx.process(slot);
    }
    // What may be done is the server's answer (allowed actions), never a guess from the status here.
    if (actions) {
      const allowed = new Set(actions.map((a) => a.name));
      document.querySelectorAll("[data-action]").forEach((b) => { b.hidden = !allowed.has(b.dataset.action); });
      document.querySelectorAll("[data-needs]").forEach((d) => { d.hidden = !allowed.has(d.dataset.needs); });
      $("call-next").hidden = Boolean(t);
    }
  }

  async function run(fn, okText) {
    $("status").classList.remove("error-text");
    try { await fn(); $("status").textContent = okText || ""; }
    catch (e) { $("status").textContent = e.message; $("status").classList.add("error-text"); }
    refresh();
  }

  $("call-next").addEventListener("click", () => run(async () => {
    const t = await Floor.api(`/counters/${counter}/call-next`, {method: "POST", idempotent: Floor.newKey()});
    render(t);
    if (!t) throw new Error(T.nobodyIsWaitingForThisCounter);
  }));
  document.querySelectorAll("button[data-action]").forEach((btn) => btn.addEventListener("click", () => run(async () => {
    if (!current) throw new Error(T.callACustomerFirst);
    const name = btn.dataset.action, opts = {method: "POST", idempotent: Floor.newKey()};
    if (name === "transfer") {
      const [kind, value] = $("transfer-target").value.split(":");
      opts.body = kind === "service" ? {service_code: value} : {counter_kind: value};
    }
    if (name === "refer") opts.body = {staff_code: $("refer-target").value};
    await Floor.api(`/tickets/${current.id}/${btn.dataset.step}`, opts);
  }, T.done)));

  async function refresh() {
    try {
      // The server computes this counter's line (floor.policy, transfers included); this only renders it.
      const view = await Floor.api(`/counters/${counter}/console`);
      render(view.current, view.actions);
      $("waiting-count").textContent = view.waiting_count;
      $("waiting").innerHTML = view.waiting.map((w) =>
        `<tr data-ticket="${w.id}"><td>${Floor.esc(w.number)}${w.is_vip ? ' <span class="tag vip">VIP</span>' : ""}</td><td>${Floor.esc(w.service_name)}</td><td>${Floor.minutes(w.waited_seconds)}</td></tr>`).join("");
    } catch (e) { /* next refresh retries */ }
  }
  refresh(); setInterval(refresh, 5000);
})();
