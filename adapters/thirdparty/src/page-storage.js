// A minimal page shim for frameworks that touch `localStorage` while they
// load (uni-h5 reads its locale and storage keys at start-up, Taro H5's
// runtime its storage).
//
// The browser adapter's page is `about:blank`, an opaque origin, where
// reading `window.localStorage` throws a SecurityError; an app served from
// its own origin has working storage. Only in that case is an in-memory
// Storage put in its place (per page, so nothing outlives a reset). Sockets
// do not use it.

function storageWorks() {
  try {
    return typeof window.localStorage === 'object';
  } catch {
    return false;
  }
}

/** An in-memory `Storage`: getItem, setItem, removeItem, clear, key, length. */
function memoryStorage() {
  const items = new Map();
  return {
    get length() { return items.size; },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => (items.has(String(k)) ? items.get(String(k)) : null),
    setItem: (k, v) => { items.set(String(k), String(v)); },
    removeItem: (k) => { items.delete(String(k)); },
    clear: () => { items.clear(); },
  };
}

if (!storageWorks()) {
  Object.defineProperty(window, 'localStorage', { value: memoryStorage(), configurable: true });
}
