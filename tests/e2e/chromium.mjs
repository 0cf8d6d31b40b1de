// How every browser test starts Chromium: headless, as root (no sandbox), and with every
// background service that would reach outside hosts switched off (account, sync, component
// and safe-browsing updates, DNS prefetch, metrics). The resolver rule makes any name other
// than 127.0.0.1 fail at once, so nothing can be looked up even if a feature forgets.
// scripts/dev test runs the browser tests under strace and checks the sockets they opened
// (tests/e2e/sockets.mjs). The same switches are in webdriver.json for wasm-bindgen-test.
export const CHROME = process.env.CHROME_BIN ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-quic',
  '--no-first-run',
  '--no-pings',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
];
