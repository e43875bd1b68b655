// Shared by the floor screens: API access (device token from the URL fragment, or the staff session),
// Chinese call announcements queued so one never cuts another off, with a chime before each call and
// as the fallback when the browser cannot speak.
(function () {
  "use strict";
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("token") || sessionStorage.getItem("fuwu-device-token");
  if (fragment.get("token")) {
    sessionStorage.setItem("fuwu-device-token", fragment.get("token"));
    history.replaceState(null, "", location.pathname + location.search);  // keep the secret off the screen
  }
  let csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }

  async function api(path, options = {}) {
    const headers = {"Content-Type": "application/json"};
    if (token) headers.Authorization = "Bearer " + token;
    else headers["X-CSRFToken"] = csrf;
    if (options.idempotent) headers["Idempotency-Key"] = options.idempotent;
    const res = await fetch("/api/v1" + path, {
      method: options.method || "GET", headers, credentials: "same-origin",
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    if (res.status === 204) return null;
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || res.statusText);
      err.status = res.status; err.details = data.error && data.error.details;
      throw err;
    }
    return data;
  }

  function newKey() {
    return (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random().toString(16).slice(2);
  }

  const DIGITS = "零一二三四五六七八九";
  function zhNumber(n) {  // window numbers: 1–99
    if (n < 10) return DIGITS[n];
    const tens = Math.floor(n / 10), ones = n % 10;
    return (tens > 1 ? DIGITS[tens] : "") + "十" + (ones ? DIGITS[ones] : "");
  }
  function callText(number, counter) {
    const spoken = number.replace(/\d/g, (d) => DIGITS[Number(d)]);
    return "请" + spoken + "号到" + zhNumber(counter) + "号窗口";
  }

  let audio = null;
  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [[880, 0], [660, 0.35]].forEach(([freq, at]) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.4, audio.currentTime + at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + at + 0.6);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.65);
      });
    } catch (e) { /* no audio device: the flashing board still shows the call */ }
  }

  const announcer = {
    queue: [], busy: false, spoken: [],
    say(text) { this.queue.push(text); this.pump(); },
    pump() {
      if (this.busy || !this.queue.length) return;
      this.busy = true;
      const text = this.queue.shift();
      let timer = null;
      const done = () => {
        if (!this.busy) return;
        clearTimeout(timer); this.busy = false;
        setTimeout(() => this.pump(), 500);
      };
      // A voice that never reports its end must not hold up the calls behind it.
      timer = setTimeout(done, 9000);
      chime();
      if (!("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) {
        setTimeout(done, 1500);
        return;
      }
      setTimeout(() => {
        const u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN"; u.rate = 0.9;
        const voice = speechSynthesis.getVoices().find((v) => (v.lang || "").toLowerCase().replace("_", "-").startsWith("zh"));
        if (voice) u.voice = voice;
        u.onend = done;
        u.onerror = () => { chime(); done(); };
        this.spoken.push(text);
        speechSynthesis.speak(u);
      }, 900);
    },
  };

  function minutes(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    return String(Math.max(0, Math.round(seconds / 60)));
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g,
      (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  // A device screen that cannot reach the server, or whose token was revoked, says so at once instead of
  // showing a stale picture (floor/partials/offline.html holds the translated texts).
  function connection(err) {
    const banner = document.getElementById("floor-offline");
    if (!banner) return;
    let reason = null;
    if (err) reason = err.status === 401 || err.status === 403 ? "token" : (!err.status || err.status >= 500 ? "server" : null);
    banner.hidden = !reason;
    banner.textContent = reason ? banner.dataset[reason] : "";
    document.body.classList.toggle("is-offline", Boolean(reason));
  }

  window.Floor = {api, newKey, callText, announcer, chime, minutes, esc, connection, hasToken: !!token};
})();
