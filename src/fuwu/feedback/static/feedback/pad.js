// The counter pad: polls for the ticket its counter just finished and posts one rating for it.
(function () {
  "use strict";
  const root = document.getElementById("pad");
  const api = root.dataset.api;
  const T = document.getElementById("pad-text").dataset;  // translated strings, from the page
  const $ = (id) => document.getElementById(id);
  const KEY = "fuwu.pad.token";
  if (location.hash.startsWith("#token=")) {
    localStorage.setItem(KEY, decodeURIComponent(location.hash.slice(7)));
    history.replaceState(null, "", location.pathname);
  }
  let token = localStorage.getItem(KEY);
  let current = null;      // ticket being rated
  let rating = null;
  let thanksUntil = 0;

  function show(id) {
    for (const s of ["pad-setup", "pad-idle", "pad-ask", "pad-thanks"]) $(s).hidden = s !== id;
  }
  function error(text) { $("pad-error").textContent = text || ""; }
  function headers() {
    return {"Authorization": "Bearer " + token, "Content-Type": "application/json"};
  }

  async function poll() {
    if (!token) { show("pad-setup"); return; }
    if (Date.now() < thanksUntil) return;
    try {
      const res = await fetch(api + "/pad/current", {headers: headers()});
      if (res.status === 401 || res.status === 403) { error(T.badToken); show("pad-setup"); return; }
      const state = await res.json();
      error("");
      $("pad-where").textContent = state.outlet + " · " + T.counter + " " + state.counter_code;
      if (!state.ticket) { current = null; show("pad-idle"); return; }
      if (!current || current.id !== state.ticket.id) { startAsk(state); }
      const left = Math.max(0, Math.round((new Date(state.ticket.expires_at) - Date.now()) / 1000));
      $("pad-countdown").textContent = left + " " + T.left;
    } catch (e) { error(T.offline); }
  }

  function startAsk(state) {
    current = state.ticket;
    rating = null;
    $("pad-ticket").textContent = T.ticket + " " + current.number + " · " + current.service + (current.staff ? " · " + current.staff : "");
    const list = $("pad-reason-list");
    list.replaceChildren(...state.reasons.map((r) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.value = r; box.name = "reason";
      label.append(box, " " + r);
      return label;
    }));
    $("pad-reasons").hidden = true;
    document.querySelectorAll(".pad-choice").forEach((b) => b.classList.remove("selected"));
    show("pad-ask");
  }

  async function submit() {
    const reasons = [...document.querySelectorAll("#pad-reason-list input:checked")].map((b) => b.value);
    const res = await fetch(api + "/tickets/" + current.id + "/evaluation", {
      method: "POST", headers: {...headers(), "Idempotency-Key": "pad-" + current.id},
      body: JSON.stringify({rating: rating, reasons: rating === "satisfied" ? [] : reasons}),
    });
    if (res.ok || res.status === 409) {
      if (!res.ok) { error((await res.json()).error.message); }
      current = null;
      thanksUntil = Date.now() + 4000;
      show("pad-thanks");
      setTimeout(poll, 4100);
    } else {
      error((await res.json()).error.message);
    }
  }

  document.querySelectorAll(".pad-choice").forEach((b) => b.addEventListener("click", () => {
    rating = b.dataset.rating;
    document.querySelectorAll(".pad-choice").forEach((x) => x.classList.toggle("selected", x === b));
    if (rating === "satisfied") { submit(); } else { $("pad-reasons").hidden = false; }
  }));
  $("pad-submit").addEventListener("click", submit);
  $("pad-setup-form").addEventListener("submit", (e) => {
    e.preventDefault();
    token = new FormData(e.target).get("token").trim();
    localStorage.setItem(KEY, token);
    poll();
  });
  poll();
  setInterval(poll, 2000);
})();
