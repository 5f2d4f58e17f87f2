// Where the owner's signing key — and what belongs with it — comes from.
//
// deviceSource: the phone's own key (gongzhi.js: P-256, non-extractable, in IndexedDB), with
//   the credentials, pins and receipts kept beside it, and a cookie session.
// cardSource(key): a printed voting card opened on this page (owner_card.js). Its key is
//   non-extractable too but lives only in this page's memory, like everything that goes with
//   it (credentials, receipts, the bearer token): a relative's phone or the committee's desk
//   keeps nothing of it, and `forget()` — 完成, or the page going away — drops it all.
//
// The pages ask a source for `key()`, `load(name)` and `save(name, value)`; signing itself is
// the same `signDocument` call for both.

import { loadOwnerKey, loadValue, saveValue } from "./gongzhi_core.js";

export const deviceSource = Object.freeze({
  kind: "device",
  session: "cookie",
  key: () => loadOwnerKey(),
  load: (name) => loadValue(name),
  save: (name, value) => saveValue(name, value),
  headers: () => ({}),
  setToken: () => {},
});

export function cardSource(key) {
  let current = key;
  let token = null;
  const memory = new Map();
  return {
    kind: "card",
    session: "bearer",
    key: async () => current,
    load: async (name) => (current ? memory.get(name) ?? null : null),
    save: async (name, value) => {
      if (current) memory.set(name, value);
    },
    headers: () => (token ? { Authorization: `Bearer ${token}` } : {}),
    setToken: (value) => {
      token = value;
    },
    get active() {
      return current !== null;
    },
    /** Drop the key, the token and everything kept for this card; returns the token that
     * was in use (to end the session on the server), or null. */
    forget() {
      const was = token;
      current = null;
      token = null;
      memory.clear();
      return was;
    },
  };
}
