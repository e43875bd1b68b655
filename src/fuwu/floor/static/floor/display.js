// Translated strings come from the page (#display-text), as data-* attributes.
(function () {
  const T = document.getElementById("display-text").dataset;
  const board = document.getElementById("board");
  let outlet = board.dataset.outlet, lastEvent = null;
  const recent = [];
  document.getElementById("enable-sound").addEventListener("click", () => { Floor.chime(); document.getElementById("sound-hint").hidden = true; });

  function showCall(c) {
    document.getElementById("now-number").textContent = c.number;
    document.getElementById("now-counter").textContent = c.counter_number ? T.toWindowN.replace("{n}", c.counter_number) : "";
    const now = document.getElementById("now");
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
    recent.unshift(c); recent.splice(6);
    document.getElementById("recent").innerHTML = recent.map((r) =>
      `<tr><td>${Floor.esc(r.number)}</td><td>${T.windowN.replace("{n}", Floor.esc(r.counter_number))}</td></tr>`).join("");
  }

  async function poll() {
    try {
      if (!outlet) outlet = (await Floor.api("/outlets"))[0].code;
      const calls = await Floor.api(`/outlets/${outlet}/calls?after=${lastEvent || 0}`);
      if (lastEvent === null) {
        // On start, show the latest calls without announcing old ones again.
        calls.forEach(showCall);
      } else {
        calls.forEach((c) => { showCall(c); if (c.counter_number) Floor.announcer.say(Floor.callText(c.number, c.counter_number)); });
      }
      if (calls.length) lastEvent = calls[calls.length - 1].event_id; else if (lastEvent === null) lastEvent = 0;
      const q = await Floor.api(`/outlets/${outlet}/queue`);
      document.getElementById("waiting").innerHTML = q.services.map((s) =>
        `<tr><td>${Floor.esc(s.prefix)} ${Floor.esc(s.name)}</td><td>${s.waiting}</td><td>${Floor.minutes(s.estimated_wait_seconds)}</td></tr>`).join("");
      Floor.connection(null);
    } catch (e) { Floor.connection(e); /* the next poll retries */ }
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("zh-CN");
  }
  poll(); setInterval(poll, 2000);
})();
