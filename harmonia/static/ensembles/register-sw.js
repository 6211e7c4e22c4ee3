/* Harmonia's offline register: a service worker served from /register-sw.js (scope /).
 * Registers, today's list and static files are fetched from the network first and
 * kept in a cache, which answers when there is no connection. Marks are never
 * sent from here: the page queues them on the device (see register.js).
 * Signing in or out empties the cache, so a shared device keeps no roster. */
const CACHE = "harmonia-register-v1";
const KEEP = [/^\/registers\//, /^\/static\//, /^\/$/];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function keep(url) {
  return url.origin === self.location.origin && KEEP.some((re) => re.test(url.pathname));
}

function store(request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.startsWith("/accounts/")) {
    caches.delete(CACHE);
    return;
  }
  if (request.method !== "GET" || !keep(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => store(request, response))
      .catch(() =>
        caches.match(request, { ignoreVary: true }).then(
          (hit) => hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } })
        )
      )
  );
});

/* The page asks for today's registers to be kept ready for offline use. */
self.addEventListener("message", (event) => {
  const urls = (event.data && event.data.cache) || [];
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        urls.map((url) =>
          fetch(url, { credentials: "same-origin" })
            .then((response) => (response.ok && !response.redirected ? cache.put(url, response) : null))
            .catch(() => null)
        )
      )
    )
  );
});
