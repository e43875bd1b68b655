(function () {
  const t = document.querySelector("[data-testid=timer]"); if (!t) return;
  let left = parseInt(t.dataset.seconds, 10); const out = document.getElementById("left");
  function tick() { const m = Math.floor(left / 60), s = left % 60; out.textContent = m + ":" + String(s).padStart(2, "0");
    if (left <= 0) { document.getElementById("paper").submit(); return; } left -= 1; setTimeout(tick, 1000); }
  tick();
  // Save each answer as it is given, so a dropped connection or a closed tab loses nothing.
  const paper = document.getElementById("paper");
  paper.addEventListener("change", (ev) => {
    const name = ev.target.name || ""; if (!name.startsWith("q")) return;
    const body = new FormData();
    body.append("position", name.slice(1));
    paper.querySelectorAll(`[name="${name}"]`).forEach((el) => {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      body.append(name, el.value);
    });
    fetch(paper.dataset.answerUrl, {method: "POST", body, headers: {"X-CSRFToken": paper.querySelector("[name=csrfmiddlewaretoken]").value}});
  });
})();
