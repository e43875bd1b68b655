// The public chat: asks /api/v1/knowledge/ask, shows answers, "您是想问…" options and the hand-over,
// then polls the thread so the staff's answer appears in the same conversation.
(function () {
  const root = document.getElementById("chat");
  const log = document.getElementById("chat-log");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const status = document.getElementById("chat-status");
  const text = JSON.parse(document.getElementById("chat-text").textContent);
  let token = sessionStorage.getItem("fuwu-chat") || "";
  let last = 0;
  let polling = null;

  function add(m) {
    if (m.id && m.id <= last) return;
    if (m.id) last = m.id;
    const li = document.createElement("li");
    li.className = "msg " + m.sender;
    li.dataset.testid = "msg-" + m.sender;
    if (m.sender === "staff") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = text.staff;
      li.appendChild(who);
    }
    const body = document.createElement("div");
    if (m.sender === "bot" && m.outcome === "answer") body.innerHTML = m.text; // sanitised on the server (nh3)
    else body.textContent = m.text;
    li.appendChild(body);
    if (m.outcome === "clarify" && m.options && m.options.length) {
      const box = document.createElement("div");
      box.className = "options";
      m.options.forEach(function (o) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = o.question;
        b.addEventListener("click", function () { send("", o.entry_id); });
        box.appendChild(b);
      });
      const none = document.createElement("button");
      none.type = "button";
      none.textContent = text.none;
      none.addEventListener("click", function () { send(text.person); });
      box.appendChild(none);
      li.appendChild(box);
    }
    log.appendChild(li);
    li.scrollIntoView({block: "end"});
  }

  function show(state) {
    status.textContent = state === "waiting" ? text.waiting : state === "answered" ? text.answered : state === "closed" ? text.closed : "";
    if ((state === "waiting" || state === "answered") && !polling) polling = setInterval(poll, 3000);
  }

  async function poll() {
    if (!token) return;
    const r = await fetch(root.dataset.thread + encodeURIComponent(token) + "?after=" + last);
    if (!r.ok) return;
    const data = await r.json();
    data.messages.forEach(add);
    show(data.status);
  }

  async function send(question, entryId) {
    const body = {question: question || "", conversation: token, outlet_code: root.dataset.outlet, channel: root.dataset.channel};
    if (entryId) body.entry_id = entryId;
    let r;
    try {
      r = await fetch(root.dataset.ask, {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    } catch (e) { status.textContent = text.error; return; }
    const data = await r.json();
    if (!r.ok) {
      if (r.status === 409) { token = ""; sessionStorage.removeItem("fuwu-chat"); }
      status.textContent = (data.error && data.error.message) || text.error;
      return;
    }
    token = data.conversation;
    sessionStorage.setItem("fuwu-chat", token);
    data.messages.forEach(add);
    show(data.status);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    input.value = "";
    send(q);
  });
  document.getElementById("chat-person").addEventListener("click", function () { send(text.person); });
  if (token) poll();
})();
