"""A live server in a thread and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from checklist import create_app
from tests.conftest import PASSWORD
from tests.conftest import add_users
from tests.conftest import make_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_app(tmp_path):
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    add_users(app)
    return app


def sign_in(page, base_url, email="visitor@a.test"):
    """Through the login page, as a person would."""
    page.goto(f"{base_url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(f"{base_url}/locations/")


def outbox_ready(page):
    """Wait until the page's script has put back what the device kept (IndexedDB is asynchronous)."""
    page.locator("html[data-outbox=ready]").wait_for(state="attached")


DEVICE_KEYS = """(prefix) => new Promise((resolve, reject) => {
  const open = indexedDB.open("keyval-store");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("keyval")) { db.close(); resolve([]); return; }
    const all = db.transaction("keyval").objectStore("keyval").getAllKeys();
    all.onsuccess = () => { db.close(); resolve(all.result.filter((k) => typeof k === "string" && k.startsWith(prefix)).sort()); };
    all.onerror = () => reject(all.error);
  };
})"""
DEVICE_VALUES = """(prefix) => new Promise((resolve, reject) => {
  const open = indexedDB.open("keyval-store");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("keyval")) { db.close(); resolve([]); return; }
    const store = db.transaction("keyval").objectStore("keyval");
    const keys = store.getAllKeys();
    const values = store.getAll();
    values.onsuccess = () => {
      db.close();
      const pairs = keys.result.map((k, i) => [k, values.result[i]]).filter(([k]) => typeof k === "string" && k.startsWith(prefix));
      resolve(JSON.stringify(pairs, (key, v) => (v instanceof Uint8Array || v instanceof ArrayBuffer ? Array.from(new Uint8Array(v)) : v)));
    };
    values.onerror = () => reject(values.error);
  };
})"""


def device_keys(page, part: str = "") -> list[str]:
    """The keys the app keeps in this browser's IndexedDB under `checklist:v3:<part>`
    (rec: outbox records, page: stored pages, vault: users' wrapped keys), read the way any
    page of the origin could."""
    return page.evaluate(DEVICE_KEYS, "checklist:v3:" + part)


def device_dump(page, part: str = "") -> str:
    """Everything the app keeps in IndexedDB under `part`, as JSON text: what another user's
    page, or someone with the device, could read."""
    return page.evaluate(DEVICE_VALUES, "checklist:v3:" + part)


DEVICE_RECORD = """async (id) => {
  const script = document.querySelector("script[type=module][src$='/js/page.js']");
  const base = script.src.replace(/page\\.js$/, "");
  const { deviceStore } = await import(base + "kv.js");
  const { unlockedNow } = await import(base + "unlock.js");
  const { readUnlockCookie } = await import(base + "vault.js");
  const { openOutbox } = await import(base + "outbox.js");
  const kv = deviceStore();
  const session = await unlockedNow({ kv, readCookie: () => readUnlockCookie(document.cookie) });
  if (!session) return null;
  const record = await openOutbox(kv, session).get(id);
  return record ? JSON.stringify(record) : null;
}"""


def device_record(page, record_id: str) -> str | None:
    """One outbox record of the user unlocked on this page, decrypted with the app's own
    modules (as that user's pages read it), as JSON text; None when there is none."""
    return page.evaluate(DEVICE_RECORD, record_id)


@pytest.fixture
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 820, "height": 1180})  # a tablet
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def prepared_visit(app) -> int:
    """A location and a draft visit made through the HTTP client (CSRF off just for this)."""
    from tests.conftest import create_location
    from tests.conftest import create_visit
    from tests.conftest import login

    app.config["WTF_CSRF_ENABLED"] = False
    client = login(app.test_client())
    visit_id = create_visit(client, create_location(client))
    app.config["WTF_CSRF_ENABLED"] = True
    return visit_id
