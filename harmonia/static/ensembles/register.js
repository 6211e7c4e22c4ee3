/* Harmonia register: one tap per exception, one Save, works offline.
 * Marks are queued on the device (localStorage) with a UUID idempotency key per
 * submission and sent when a connection is available; the server ignores a key it
 * has already seen, so retries never duplicate. See docs/architecture.md. */
(function () {
  "use strict";
  const QUEUE = "harmonia.register.queue";
  const state = readJSON("register-state");
  const swUrl = document.documentElement.dataset.sw || "/register-sw.js";

  function readJSON(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) { localStorage.setItem(QUEUE, JSON.stringify(q)); }

  /* The service worker keeps registers available offline. */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(swUrl, { scope: "/" }).then(() => navigator.serviceWorker.ready).then((reg) => {
      const links = Array.from(document.querySelectorAll("a[data-offline]"), (a) => a.href);
      if (links.length && reg.active) reg.active.postMessage({ cache: links });
    }).catch(() => {});
  }

  /* Send every queued submission (for any register); keep those that fail. */
  let flushing = false;
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      const token = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
      for (const sub of loadQueue()) {
        let response;
        try {
          response = await fetch(sub.url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": token },
            body: JSON.stringify({ key: sub.key, marks: sub.marks }),
          });
        } catch (e) { break; } // offline: try again later
        const json = (response.headers.get("Content-Type") || "").includes("json");
        if (response.ok && json) {
          const result = await response.json();
          saveQueue(loadQueue().filter((s) => s.key !== sub.key));
          if (page && sub.occurrence === state.occurrence) page.saved(result.saved_at);
        } else if (json && response.status < 500) {
          const result = await response.json();
          saveQueue(loadQueue().filter((s) => s.key !== sub.key));
          if (page && sub.occurrence === state.occurrence) page.failed(result.error || response.status);
        } else {
          break; // signed out or server trouble: keep it on the device
        }
      }
    } finally {
      flushing = false;
      if (page) page.render();
    }
  }
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  setInterval(() => { if (loadQueue().length) flush(); }, 15000);

  const root = document.querySelector("[data-register]");
  let page = null;
  if (root && state) page = registerPage(root);
  flush();

  function registerPage(root) {
    const L = document.getElementById("register-labels").dataset;
    const DRAFT = "harmonia.register.draft." + state.occurrence;
    const rows = Array.from(root.querySelectorAll("[data-row]"));
    const marks = {};
    let lastSaved = state.taken;
    let error = "";
    const initialSync = root.querySelector("[data-sync]").textContent.trim();
    rows.forEach((row) => {
      const id = row.dataset.child;
      const server = state.marks[id];
      marks[id] = server
        ? { status: server.status, reason: server.reason, note: server.note, dirty: false }
        : { status: state.default || "", reason: "", note: "", dirty: !!state.default };
    });
    // Marks still waiting on this device, then an unsaved draft, are newer than the page.
    loadQueue().filter((s) => s.occurrence === state.occurrence).forEach((s) =>
      s.marks.forEach((m) => { if (marks[m.child]) Object.assign(marks[m.child], m, { dirty: false }); }));
    try {
      const draft = JSON.parse(localStorage.getItem(DRAFT) || "{}");
      Object.keys(draft).forEach((id) => { if (marks[id]) Object.assign(marks[id], draft[id]); });
    } catch (e) { /* a damaged draft is ignored */ }

    function keepDraft() {
      const dirty = {};
      Object.keys(marks).forEach((id) => { if (marks[id].dirty && marks[id].marked_at) dirty[id] = marks[id]; });
      localStorage.setItem(DRAFT, JSON.stringify(dirty));
    }
    function set(id, changes) {
      Object.assign(marks[id], changes, { dirty: true, marked_at: new Date().toISOString() });
      error = "";
      keepDraft();
      render();
    }
    const NEXT = { "": "present", present: "late", late: "absent_unauthorised",
      absent_unauthorised: "present", absent_authorised: "present" };

    const sheet = root.querySelector("[data-sheet]");
    const sheetReason = sheet.querySelector("[data-reason]");
    const sheetNote = sheet.querySelector("[data-note]");
    const reasonLabels = {};
    Array.from(sheetReason.options).forEach((o) => { if (o.value) reasonLabels[o.value] = o.text; });
    let current = null;
    rows.forEach((row) => {
      const id = row.dataset.child;
      row.querySelector("[data-toggle]").addEventListener("click", () => {
        set(id, { status: NEXT[marks[id].status], reason: "" });
      });
      row.querySelector("[data-more]").addEventListener("click", () => {
        current = id;
        sheet.querySelector("[data-sheet-name]").textContent = row.querySelector("[data-name]").textContent;
        const safety = row.querySelector("[data-safety]");
        sheet.querySelector("[data-sheet-safety]").hidden = !safety;
        sheet.querySelector("[data-sheet-safety-text]").innerHTML = safety ? safety.innerHTML : "";
        sheetReason.value = marks[id].status === "absent_authorised" ? marks[id].reason : "";
        sheetNote.value = marks[id].note || "";
        if (sheet.showModal) sheet.showModal(); else sheet.setAttribute("open", "");
      });
    });
    sheetReason.addEventListener("change", () => {
      if (current === null) return;
      const reason = sheetReason.value;
      if (reason) set(current, { status: "absent_authorised", reason });
      else if (marks[current].status === "absent_authorised") set(current, { status: "absent_unauthorised", reason: "" });
    });
    sheetNote.addEventListener("change", () => {
      if (current !== null && sheetNote.value.trim() !== (marks[current].note || "")) set(current, { note: sheetNote.value.trim() });
    });
    sheet.addEventListener("close", () => {
      if (current !== null && sheetNote.value.trim() !== (marks[current].note || "")) set(current, { note: sheetNote.value.trim() });
      current = null;
    });
    const all = root.querySelector("[data-all-present]");
    if (all) all.addEventListener("click", () => {
      Object.keys(marks).forEach((id) => {
        if (!marks[id].status) Object.assign(marks[id], { status: "present", dirty: true, marked_at: new Date().toISOString() });
      });
      keepDraft();
      render();
    });
    const saveButton = root.querySelector("[data-save]");
    if (saveButton) saveButton.addEventListener("click", () => {
      const now = new Date().toISOString();
      const out = Object.keys(marks).filter((id) => marks[id].dirty && marks[id].status).map((id) => ({
        child: Number(id), status: marks[id].status, reason: marks[id].reason || "",
        note: marks[id].note || "", marked_at: marks[id].marked_at || now,
      }));
      if (out.length) {
        const queue = loadQueue();
        queue.push({ key: uuid(), occurrence: state.occurrence, url: state.submit, marks: out, made: now });
        saveQueue(queue);
        out.forEach((m) => { marks[m.child].dirty = false; });
      }
      localStorage.removeItem(DRAFT);
      render();
      flush();
    });

    function fmt(template, values) {
      return template.replace(/%\((\w+)\)s/g, (_, k) => values[k]);
    }
    function render() {
      const counts = { present: 0, late: 0, absent: 0, unmarked: 0 };
      rows.forEach((row) => {
        const m = marks[row.dataset.child];
        row.dataset.status = m.status;
        row.dataset.touched = m.dirty && m.marked_at ? "true" : "false";
        row.querySelector("[data-label]").textContent = m.status ? L[m.status] : L.unmarked;
        const extra = [m.status === "absent_authorised" ? reasonLabels[m.reason] : "", m.note].filter(Boolean).join(" · ");
        row.querySelector("[data-extra]").textContent = extra ? " · " + extra : "";
        if (m.status === "present") counts.present++;
        else if (m.status === "late") counts.late++;
        else if (m.status) counts.absent++;
        else counts.unmarked++;
      });
      if (all) all.style.display = counts.unmarked ? "" : "none";
      Object.keys(counts).forEach((k) => {
        const el = root.querySelector(`[data-count="${k}"]`);
        if (el) el.textContent = counts[k];
      });
      const waiting = loadQueue().filter((s) => s.occurrence === state.occurrence)
        .reduce((n, s) => n + s.marks.length, 0);
      const dirty = Object.values(marks).some((m) => m.dirty && m.status);
      const touched = Object.values(marks).some((m) => m.dirty && m.marked_at);
      const sync = root.querySelector("[data-sync]");
      let text, kind;
      if (error) { text = fmt(L.error, { error }); kind = "error"; }
      else if (waiting) { text = fmt(L.waiting, { count: waiting }); kind = "waiting"; }
      else if (touched) { text = L.unsaved; kind = "unsaved"; }
      else if (lastSaved) {
        const t = new Date(lastSaved);
        text = fmt(L.saved, { time: t.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }) });
        kind = "saved";
      } else { text = initialSync; kind = "new"; }
      sync.textContent = text;
      sync.dataset.state = kind;
      if (saveButton) saveButton.dataset.dirty = dirty ? "true" : "false";
    }
    render();
    return {
      render,
      saved(at) { lastSaved = at; error = ""; },
      failed(message) { error = String(message); },
    };
  }
})();
