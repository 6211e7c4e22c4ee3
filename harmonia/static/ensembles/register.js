/* Harmonia register: one tap per exception, one Save, works offline.
 * Each Save is queued on the device in IndexedDB (offline-queue.js), under the
 * signed-in person, with a UUID idempotency key, and sent when a connection is
 * available — by this page, or by the service worker (Background Sync). Each row says
 * whether a person set it ("touched") and when; untouched default rows never replace
 * a mark on the server. When the server kept another mark, the page shows it with a
 * notice. A refused submission stays on the device as "needs attention" with the
 * reason. See docs/architecture.md ("The register"). */
(function () {
  "use strict";
  const Q = self.HarmoniaOffline;
  const MAX_PREFETCH = 8;
  const user = document.body.dataset.user || "";
  if (!Q || !user) return; // signed out: signout.js has forgotten the rosters
  const state = readJSON("register-state");
  const swUrl = document.documentElement.dataset.sw || "/register-sw.js";
  const csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";
  Q.setMeta("user", user).then(() => (csrf ? Q.setMeta("csrf", csrf) : null)).catch(() => {});

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

  /* The service worker keeps registers available offline and can send the queue. */
  let worker = null;
  if ("serviceWorker" in navigator) {
    worker = navigator.serviceWorker.register(swUrl, { scope: "/" }).then(() => navigator.serviceWorker.ready);
    worker.then((reg) => {
      // Today's registers and the next few (the page marks them); never a whole list.
      const links = Array.from(document.querySelectorAll("a[data-offline]"), (a) => a.href).slice(0, MAX_PREFETCH);
      if (links.length && reg.active) reg.active.postMessage({ cache: links });
    }).catch(() => {});
    navigator.serviceWorker.addEventListener("message", (event) => {
      const data = event.data || {};
      if (data.type !== "harmonia-queue") return;
      data.outcomes.forEach((o) => heard(o, o.outcome));
      if (page) page.refresh();
    });
  }
  function backgroundSync() {
    if (!worker) return;
    worker.then((reg) => (reg.sync ? reg.sync.register(Q.SYNC_TAG) : null)).catch(() => {});
  }

  /* Send this person's queue (items are independent; failures back off). */
  function flush(force) {
    return Q.send({ user, csrf, force: !!force, onResult: heard })
      .catch(() => {})
      .then(() => (page ? page.refresh() : null));
  }
  function heard(item, outcome) {
    if (page && item.occurrence === state.occurrence) page.heard(outcome);
  }
  window.addEventListener("online", () => flush(true));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(true); });
  setInterval(() => flush(false), 5000); // only items whose backoff has run out

  const root = document.querySelector("[data-register]");
  let page = null;
  if (root && state) page = registerPage(root);
  flush(true);

  function registerPage(root) {
    const L = document.getElementById("register-labels").dataset;
    const DRAFT = `harmonia.register.draft.${user}.${state.occurrence}`;
    const rows = Array.from(root.querySelectorAll("[data-row]"));
    const names = {};
    const marks = {};
    let lastSaved = state.taken;
    let error = "";
    let queued = [];
    const conflicts = {};
    const initialSync = root.querySelector("[data-sync]").textContent.trim();
    rows.forEach((row) => {
      const id = row.dataset.child;
      names[id] = row.querySelector("[data-name]").textContent;
      const server = state.marks[id];
      marks[id] = server
        ? { status: server.status, reason: server.reason, note: server.note,
          minutes_late: server.minutes_late, touched: false, dirty: false }
        : { status: state.default || "", reason: "", note: "", touched: false, dirty: !!state.default };
    });

    function keepDraft() {
      const dirty = {};
      Object.keys(marks).forEach((id) => { if (marks[id].touched && marks[id].dirty) dirty[id] = marks[id]; });
      localStorage.setItem(DRAFT, JSON.stringify(dirty));
    }
    function set(id, changes) {
      Object.assign(marks[id], changes, { dirty: true, touched: true, marked_at: new Date().toISOString() });
      delete conflicts[id];
      error = "";
      keepDraft();
      render();
    }
    /* The programme's attendance codes (in the page, so they work offline too). One tap
     * steps through the codes with a place in the cycle; the others are under ⋯. */
    const CODES = {};
    (state.codes || []).forEach((c) => { CODES[c.code] = c; });
    const cycle = (state.codes || []).filter((c) => c.active && c.tap).sort((a, b) => a.tap - b.tap).map((c) => c.code);
    function next(status) {
      const at = cycle.indexOf(status);
      return cycle.length ? cycle[(at + 1) % cycle.length] : status;
    }
    const active = (state.codes || []).filter((c) => c.active);
    const reasonCode = (active.find((c) => c.reason) || {}).code;
    const plainAbsence = (active.find((c) => c.code === "absent_unauthorised")
      || active.find((c) => !c.attended && c.possible && !c.reason) || {}).code;
    function kindOf(status) {
      const c = CODES[status];
      if (!c) return status ? "absent" : "";
      if (c.attended) return "attended";
      return c.possible ? "absent" : "excused";
    }

    const sheet = root.querySelector("[data-sheet]");
    const sheetReason = sheet.querySelector("[data-reason]");
    const sheetNote = sheet.querySelector("[data-note]");
    const sheetCode = sheet.querySelector("[data-code]");
    const sheetMinutes = sheet.querySelector("[data-minutes]");
    const minutesField = sheet.querySelector("[data-minutes-field]");
    function sheetShows(status) {
      const c = CODES[status] || {};
      minutesField.hidden = !c.minutes;
    }
    const reasonLabels = {};
    Array.from(sheetReason.options).forEach((o) => { if (o.value) reasonLabels[o.value] = o.text; });
    let current = null;
    rows.forEach((row) => {
      const id = row.dataset.child;
      row.querySelector("[data-toggle]").addEventListener("click", () => {
        set(id, { status: next(marks[id].status), reason: "", minutes_late: null });
      });
      row.querySelector("[data-more]").addEventListener("click", () => {
        current = id;
        sheet.querySelector("[data-sheet-name]").textContent = names[id];
        const safety = row.querySelector("[data-safety]");
        sheet.querySelector("[data-sheet-safety]").hidden = !safety;
        sheet.querySelector("[data-sheet-safety-text]").innerHTML = safety ? safety.innerHTML : "";
        const c = CODES[marks[id].status] || {};
        sheetCode.value = marks[id].status || "";
        sheetReason.value = c.reason ? marks[id].reason : "";
        sheetMinutes.value = marks[id].minutes_late == null ? "" : marks[id].minutes_late;
        sheetShows(marks[id].status);
        sheetNote.value = marks[id].note || "";
        if (sheet.showModal) sheet.showModal(); else sheet.setAttribute("open", "");
      });
    });
    sheetCode.addEventListener("change", () => {
      if (current === null || !sheetCode.value) return;
      const c = CODES[sheetCode.value] || {};
      set(current, { status: sheetCode.value, reason: c.reason ? (sheetReason.value || "other") : "",
        minutes_late: c.minutes ? marks[current].minutes_late : null });
      if (c.reason && !sheetReason.value) sheetReason.value = "other";
      if (!c.reason) sheetReason.value = "";
      sheetShows(sheetCode.value);
    });
    sheetMinutes.addEventListener("change", () => {
      if (current === null) return;
      const n = sheetMinutes.value === "" ? null : Math.max(0, Math.min(600, Math.round(Number(sheetMinutes.value))));
      if (n !== null && Number.isNaN(n)) return;
      set(current, { minutes_late: n });
    });
    sheetReason.addEventListener("change", () => {
      if (current === null) return;
      const reason = sheetReason.value;
      const now = CODES[marks[current].status] || {};
      if (reason) set(current, { status: now.reason ? marks[current].status : reasonCode, reason, minutes_late: null });
      else if (now.reason) set(current, { status: plainAbsence, reason: "" });
      sheetCode.value = marks[current].status || "";
      sheetShows(marks[current].status);
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
      const now = new Date().toISOString();
      Object.keys(marks).forEach((id) => {
        if (!marks[id].status) Object.assign(marks[id], { status: "present", dirty: true, touched: true, marked_at: now });
      });
      keepDraft();
      render();
    });
    const saveButton = root.querySelector("[data-save]");
    if (saveButton) saveButton.addEventListener("click", async () => {
      const now = new Date().toISOString();
      const out = Object.keys(marks).filter((id) => marks[id].dirty && marks[id].status).map((id) => ({
        child: Number(id), status: marks[id].status, reason: marks[id].reason || "",
        note: marks[id].note || "", touched: !!marks[id].touched,
        minutes_late: marks[id].minutes_late == null ? null : marks[id].minutes_late,
        marked_at: (marks[id].touched && marks[id].marked_at) || now,
      }));
      if (out.length) {
        try {
          await Q.add({ key: uuid(), user, occurrence: state.occurrence, url: state.submit, marks: out, made: now });
        } catch (e) {
          error = L.storage; // the device could not keep them: say so, keep them on the page
          render();
          return;
        }
        out.forEach((m) => { marks[m.child].dirty = false; });
      }
      localStorage.removeItem(DRAFT);
      await refresh();
      backgroundSync();
      flush(true);
    });

    /* What the server (or the service worker) said about one of this register's items. */
    function heard(outcome) {
      if (outcome.ok) {
        lastSaved = outcome.result.saved_at;
        error = "";
        (outcome.result.conflicts || []).forEach((c) => {
          const id = String(c.child);
          if (!marks[id] || (marks[id].dirty && marks[id].touched)) return; // tapped again since
          Object.assign(marks[id], { status: c.status, reason: c.reason, note: c.note,
            minutes_late: c.minutes_late == null ? null : c.minutes_late, touched: false, dirty: false });
          conflicts[id] = c;
        });
      } else if (outcome.signedOut) {
        error = L.signedout;
      }
    }

    const conflictBox = root.querySelector("[data-conflicts]");
    const conflictList = root.querySelector("[data-conflict-list]");
    root.querySelector("[data-conflicts-ok]").addEventListener("click", () => {
      Object.keys(conflicts).forEach((id) => delete conflicts[id]);
      render();
    });
    const attentionBox = root.querySelector("[data-attention]");
    const saveResult = root.querySelector("[data-save-result]");
    const attentionList = root.querySelector("[data-attention-list]");

    function fmt(template, values) {
      return template.replace(/%\((\w+)\)s/g, (_, k) => values[k]);
    }
    function time(iso) {
      return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    }
    function label(m) {
      if (!m.status) return L.unmarked;
      return CODES[m.status] ? CODES[m.status].label : m.status;
    }

    function renderConflicts() {
      const ids = Object.keys(conflicts);
      conflictBox.hidden = !ids.length;
      conflictList.replaceChildren(...ids.map((id) => {
        const c = conflicts[id];
        const li = document.createElement("li");
        li.textContent = fmt(L.conflictitem, { name: names[id] || id, status: label(c), by: c.by || "?", time: time(c.marked_at) });
        return li;
      }));
    }
    function renderAttention(items) {
      attentionBox.hidden = !items.length;
      attentionList.replaceChildren(...items.map((item) => {
        const li = document.createElement("li");
        const text = document.createElement("span");
        text.textContent = fmt(L.attentionitem, { count: item.marks.length, time: time(item.made), reason: item.reason });
        const again = document.createElement("button");
        again.type = "button";
        again.className = "button button--small";
        again.textContent = L.sendagain;
        again.addEventListener("click", async () => { await Q.retry(item.key); await refresh(); flush(true); });
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button button--secondary button--small";
        discard.textContent = L.discard;
        discard.addEventListener("click", async () => {
          if (!window.confirm(L.discardconfirm)) return;
          await Q.remove(item.key);
          await refresh();
        });
        li.append(text, " ", again, " ", discard);
        return li;
      }));
    }

    function render() {
      const counts = { present: 0, late: 0, absent: 0, unmarked: 0 };
      rows.forEach((row) => {
        const id = row.dataset.child;
        const m = marks[id];
        row.dataset.status = m.status;
        row.dataset.kind = kindOf(m.status);
        row.dataset.touched = m.dirty && m.touched ? "true" : "false";
        row.dataset.conflict = conflicts[id] ? "true" : "false";
        row.querySelector("[data-label]").textContent = label(m);
        const c = CODES[m.status] || {};
        const extra = [c.reason ? reasonLabels[m.reason] : "",
          c.minutes && m.minutes_late != null ? fmt(L.minutes, { count: m.minutes_late }) : "",
          m.note].filter(Boolean).join(" · ");
        row.querySelector("[data-extra]").textContent = extra ? " · " + extra : "";
        if (!m.status) counts.unmarked++;
        else if (c.attended && c.minutes) counts.late++;
        else if (c.attended) counts.present++;
        else counts.absent++;
      });
      if (all) all.style.display = counts.unmarked ? "" : "none";
      Object.keys(counts).forEach((k) => {
        const el = root.querySelector(`[data-count="${k}"]`);
        if (el) el.textContent = counts[k];
      });
      const waiting = queued.filter((i) => i.state === "waiting").reduce((n, i) => n + i.marks.length, 0);
      const attention = queued.filter((i) => i.state === "attention");
      const dirty = Object.values(marks).some((m) => m.dirty && m.status);
      const touched = Object.values(marks).some((m) => m.dirty && m.touched);
      const sync = root.querySelector("[data-sync]");
      let text, kind;
      if (error) { text = fmt(L.error, { error }); kind = "error"; }
      else if (attention.length) { text = L.needsattention; kind = "error"; }
      else if (waiting) { text = fmt(L.waiting, { count: waiting }); kind = "waiting"; }
      else if (touched) { text = L.unsaved; kind = "unsaved"; }
      else if (lastSaved) { text = fmt(L.saved, { time: time(lastSaved) }); kind = "saved"; }
      else { text = initialSync; kind = "new"; }
      sync.textContent = text;
      sync.dataset.state = kind;
      // The same result next to the Save button, where the tutor's eyes are.
      if (saveResult) {
        saveResult.textContent = kind === "new" ? "" : text;
        saveResult.dataset.state = kind;
      }
      if (saveButton) saveButton.dataset.dirty = dirty ? "true" : "false";
      renderConflicts();
      renderAttention(attention);
    }

    async function refresh() {
      try {
        queued = (await Q.items(user)).filter((i) => i.occurrence === state.occurrence);
      } catch (e) {
        queued = [];
      }
      render();
    }

    /* Saves queued by the version before this one (localStorage, no owner) are kept,
     * but as "needs attention": nobody can tell whose they were, so the tutor decides. */
    async function adoptLegacyQueue() {
      let legacy = [];
      try { legacy = JSON.parse(localStorage.getItem("harmonia.register.queue") || "[]"); } catch (e) { legacy = []; }
      for (const sub of legacy) {
        if (!sub || !sub.key || !Array.isArray(sub.marks)) continue;
        await Q.add({ key: sub.key, user, occurrence: sub.occurrence, url: sub.url, marks: sub.marks,
          made: sub.made || new Date().toISOString(), state: "attention", reason: L.legacy });
      }
      localStorage.removeItem("harmonia.register.queue");
    }

    /* Marks still waiting on this device, then an unsaved draft, are newer than the page. */
    (async () => {
      await adoptLegacyQueue().catch(() => {});
      await refresh();
      queued.slice().sort((a, b) => a.made.localeCompare(b.made)).forEach((item) =>
        item.marks.forEach((m) => {
          if (marks[m.child]) Object.assign(marks[m.child], m, { dirty: false });
        }));
      try {
        const draft = JSON.parse(localStorage.getItem(DRAFT) || "{}");
        Object.keys(draft).forEach((id) => { if (marks[id]) Object.assign(marks[id], draft[id]); });
      } catch (e) { /* a damaged draft is ignored */ }
      render();
      root.dataset.ready = "true"; // the page shows everything this device knows
    })();

    render();
    return { render, refresh, heard };
  }
})();
