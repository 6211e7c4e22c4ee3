/* Harmonia's offline register: a service worker served from /register-sw.js (scope /).
 * The server builds it: offline-queue.js, then a line that sets RELEASE (the release
 * and a hash of these files) and MAX_AGE (the session length, in seconds), then this.
 *
 * Registers, today's list and static files are fetched from the network first and
 * kept in a cache named after the release, which answers when there is no connection.
 * A cached page older than a session is never shown (the session it belonged to has
 * expired). Signing out, or any sign of a signed-out session (a page that sends us to
 * sign in), empties the cache: a signed-out device keeps no roster.
 * The queue of marks is sent from here by Background Sync where the browser has it,
 * for the user the last page said was signed in (the server checks that too). */
/* global HarmoniaOffline, RELEASE, MAX_AGE */
const CACHE = HarmoniaOffline.CACHE_PREFIX + RELEASE;
const KEEP = [/^\/registers\//, /^\/static\//, /^\/$/];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function forget() {
  return caches.keys().then((keys) =>
    Promise.all(keys.filter((k) => k.startsWith(HarmoniaOffline.CACHE_PREFIX)).map((k) => caches.delete(k))));
}

function keep(url) {
  return url.origin === self.location.origin && KEEP.some((re) => re.test(url.pathname));
}

function signInPage(response) {
  return response.redirected && new URL(response.url).pathname.startsWith("/accounts/login");
}

function fresh(response) {
  const date = Date.parse(response.headers.get("Date") || "");
  return !date || Date.now() - date < MAX_AGE * 1000;
}

function store(request, response) {
  if (signInPage(response)) return forget().then(() => response); // the session has ended
  if (response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    return caches.open(CACHE).then((cache) => cache.put(request, copy)).then(() => response);
  }
  return response;
}

function offline() {
  return new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.startsWith("/accounts/")) {
    event.waitUntil(forget());
    return;
  }
  if (request.method !== "GET" || !keep(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => store(request, response))
      .catch(() =>
        caches.open(CACHE)
          .then((cache) => cache.match(request, { ignoreVary: true }))
          .then((hit) => (hit && fresh(hit) ? hit : offline()))
      )
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.forget) {
    event.waitUntil(forget());
    return;
  }
  /* The page asks for today's registers to be kept ready for offline use. */
  const urls = data.cache || [];
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        urls.map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => {
              if (signInPage(response)) return forget();
              return response.ok && !response.redirected ? cache.put(url, response) : null;
            })
            .catch(() => null)
        )
      )
    )
  );
});

/* Background Sync: send the signed-in person's queued marks, and tell open pages. */
self.addEventListener("sync", (event) => {
  if (event.tag !== HarmoniaOffline.SYNC_TAG) return;
  event.waitUntil((async () => {
    const user = await HarmoniaOffline.getMeta("user");
    const csrf = await HarmoniaOffline.getMeta("csrf");
    if (!user) return;
    const outcomes = [];
    await HarmoniaOffline.send({
      user, csrf, force: true,
      onResult: (item, outcome) => outcomes.push({ key: item.key, occurrence: item.occurrence, outcome }),
    });
    const pages = await self.clients.matchAll({ type: "window" });
    pages.forEach((page) => page.postMessage({ type: "harmonia-queue", outcomes }));
  })());
});
