// Sportello scuola's service worker. The build (scripts/finish-spa.mjs) writes `BUILD`
// above this line: the build's version and the files kept from the start (the app's
// hashed JavaScript and wasm, the icons, the preloaded fonts and the offline page).
//
// - The app's files come from the cache: a repeat visit downloads and compiles nothing.
// - Pages (navigations) always come from the network, so a deploy is seen at once;
//   without a network, the Italian offline page.
// - Nothing else is touched: the API's answers (personal data) are never kept.
// - A new version installs beside the old one, takes over, then drops the old cache. An
//   open page already holds its app, and its later requests are the API's.

const CACHE = `sportello-${BUILD.version}`;
const KEPT = new Set(BUILD.precache);
/** Files whose name stays the same from build to build, kept once fetched. */
const STATIC = /^\/(fonts|icons|svg)\//;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(BUILD.precache))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("sportello-") && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/offline.html")));
  } else if (KEPT.has(url.pathname) || STATIC.test(url.pathname)) {
    event.respondWith(fromCache(request));
  }
});

/** The cached copy, or the network's, kept for next time when it is good. */
async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}
