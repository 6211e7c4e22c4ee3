/* Harmonia's offline queue of register submissions, in IndexedDB, shared by the
 * register page (register.js), the sign-out guard (signout.js) and the service worker
 * (register-sw.js, which the server builds with this file in front of it).
 *
 * Each item is one press of Save: {key, user, occurrence, url, marks, made, state,
 * reason, attempts, next_at}. It belongs to the person who made the marks (``user``):
 * only that person's pages and service worker send it, and the server refuses it from
 * anyone else. ``state`` is "waiting" (sent when possible) or "attention" (the server
 * refused it with a reason the tutor must see: it is kept until they send it again or
 * discard it). A network error or a 5xx backs off exponentially, item by item: one
 * failing item never blocks the others. See docs/architecture.md ("The register"). */
(function (scope) {
  "use strict";
  const DB_NAME = "harmonia-offline";
  const QUEUE = "queue";
  const META = "meta";
  const FIRST_RETRY = 5000; // ms; doubles per failed attempt
  const LAST_RETRY = 10 * 60 * 1000;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(QUEUE)) {
          db.createObjectStore(QUEUE, { keyPath: "key" }).createIndex("user", "user");
        }
        if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: "name" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(store, mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(store, mode);
        let result;
        Promise.resolve(work(tx.objectStore(store))).then((r) => { result = r; });
        tx.oncomplete = () => resolve(result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  function req(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /* Every item of ``user`` (all items on the device when ``user`` is null). */
  function items(user) {
    return run(QUEUE, "readonly", (store) =>
      req(user == null ? store.getAll() : store.index("user").getAll(String(user))));
  }
  function put(item) { return run(QUEUE, "readwrite", (store) => req(store.put(item))); }
  function remove(key) { return run(QUEUE, "readwrite", (store) => req(store.delete(key))); }
  async function removeUser(user) {
    const mine = await items(user);
    await run(QUEUE, "readwrite", (store) => Promise.all(mine.map((i) => req(store.delete(i.key)))));
    return mine.length;
  }
  function getMeta(name) {
    return run(META, "readonly", (store) => req(store.get(name))).then((row) => (row ? row.value : null));
  }
  function setMeta(name, value) { return run(META, "readwrite", (store) => req(store.put({ name, value }))); }
  function clearMeta() { return run(META, "readwrite", (store) => req(store.clear())); }

  function add(item) {
    return put(Object.assign({ state: "waiting", reason: "", attempts: 0, next_at: 0 }, item,
      { user: String(item.user) }));
  }

  /* Send ``user``'s waiting items whose retry time has come (all of them when ``force``).
   * ``onResult(item, outcome)`` hears each answer: {ok, result} | {attention, reason} |
   * {retry, at} | {signedOut}. Returns when every item has been tried once.
   * One sender at a time on the device: a request made while another is sending runs
   * right after it (never dropped), and a Web Lock keeps the page and the service
   * worker from sending the same item at the same moment. */
  let sending = null;
  let again = null;
  function send(options) {
    if (sending) {
      again = Object.assign({}, options, { force: options.force || (again && again.force) });
      return sending;
    }
    sending = (async () => {
      try {
        let next = options;
        while (next) {
          again = null;
          await exclusive(() => sendOnce(next));
          next = again;
        }
      } finally {
        sending = null;
      }
    })();
    return sending;
  }
  function exclusive(work) {
    const locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("harmonia-offline-queue", work) : work();
  }

  async function sendOnce({ user, csrf, onResult = () => {}, force = false, fetcher }) {
    const now = Date.now();
    const doFetch = fetcher || ((...args) => scope.fetch(...args));
    const due = (await items(user)).filter((i) => i.state === "waiting" && (force || i.next_at <= now))
      .sort((a, b) => a.made.localeCompare(b.made));
    for (const item of due) {
      let response;
      try {
        response = await doFetch(item.url, {
          method: "POST",
          credentials: "same-origin",
          redirect: "manual",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
          body: JSON.stringify({ key: item.key, user: Number(item.user), marks: item.marks }),
        });
      } catch (e) {
        await backoff(item, onResult);
        continue;
      }
      const json = (response.headers.get("Content-Type") || "").includes("json");
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        onResult(item, { signedOut: true }); // the session ended: keep it for its owner
        return;
      }
      if (response.ok && json) {
        const result = await response.json();
        await remove(item.key);
        onResult(item, { ok: true, result });
      } else if (response.status >= 400 && response.status < 500) {
        let reason = String(response.status);
        if (json) {
          try { reason = (await response.json()).error || reason; } catch (e) { /* keep the code */ }
        }
        Object.assign(item, { state: "attention", reason });
        await put(item);
        onResult(item, { attention: true, reason });
      } else {
        await backoff(item, onResult);
      }
    }
  }

  async function backoff(item, onResult) {
    item.attempts = (item.attempts || 0) + 1;
    item.next_at = Date.now() + Math.min(FIRST_RETRY * 2 ** (item.attempts - 1), LAST_RETRY);
    await put(item);
    onResult(item, { retry: true, at: item.next_at });
  }

  /* "Send again" for an item that needed attention. */
  async function retry(key) {
    const item = await run(QUEUE, "readonly", (store) => req(store.get(key)));
    if (!item) return;
    Object.assign(item, { state: "waiting", reason: "", attempts: 0, next_at: 0 });
    await put(item);
  }

  scope.HarmoniaOffline = {
    items, add, remove, removeUser, retry, send, getMeta, setMeta, clearMeta,
    CACHE_PREFIX: "harmonia-register-",
    SYNC_TAG: "harmonia-register",
  };
})(self);
