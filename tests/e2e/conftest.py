"""A live factcheck server and Debian's chromium, driven by Playwright, for the end-to-end tests.

Each test module gets its own server on a free port of 127.0.0.1 and its own SQLite file, so pytest-xdist
workers never share a port or a database. The e2e tests use SQLite even when DATABASE_URL points at
PostgreSQL: the suite's PostgreSQL database is emptied before every test, under a server that lives longer.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session
from werkzeug.serving import make_server

from factcheck import claim_index, create_app, db, users, verdicts
from factcheck.models import Role
from tests import factories

CHROMIUM = os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium")
# Needed on a closed network: nothing in the browser may phone home or wait for a GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESK = {"reviewer": Role.REVIEWER, "editor": Role.EDITOR, "editor2": Role.EDITOR, "admin": Role.ADMIN}
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can screenshot a failing test's pages."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (Playwright never downloads a browser here)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a fresh temporary profile (user-data-dir) and removes it afterwards.
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class LiveServer:
    url: str
    app: object

    @contextmanager
    def session(self):
        """A database session on the server's database, for setting a scene faster than a browser can."""
        with self.app.app_context(), Session(db.get_engine(self.app), expire_on_commit=False) as session:
            yield session


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The real app, threaded, on a free port, with a fresh database and a desk of four people."""
    folder = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{folder / 'e2e.sqlite'}"
    engine = db.make_engine(url)
    db.create_all(engine)
    claim_index.forget(str(engine.url))
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "e2e-secret-key",
                      "WTF_CSRF_ENABLED": True, "INDEX_DIR": str(folder / "index")})
    with pytest.MonkeyPatch.context() as mp, app.app_context():
        mp.setattr(users, "HASH_METHOD", "pbkdf2:sha256:1000")
        with Session(db.get_engine(app)) as session:
            verdicts.ensure_default_scale(session)
            for name, role in DESK.items():
                factories.make_user(session, role, username=name)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    db.get_engine(app).dispose()


class Desk:
    """One browser context per person, so each keeps their own session cookie, as on separate laptops."""

    def __init__(self, browser, base_url: str, test_name: str):
        self.browser, self.base_url, self.test_name = browser, base_url, test_name
        self.pages: dict[str, object] = {}
        self.contexts = []
        for stale in SCREENSHOTS.glob(f"{test_name}-*.png"):
            stale.unlink()  # a rerun must not leave an earlier run's failure pictures beside its own

    def page_for(self, who: str, **context_options):
        if who not in self.pages:
            options = {"viewport": {"width": 1280, "height": 900}, **context_options}
            context = self.browser.new_context(base_url=self.base_url, accept_downloads=True, **options)
            context.set_default_timeout(TIMEOUT_MS)
            self.contexts.append(context)
            self.pages[who] = context.new_page()
        return self.pages[who]

    def screenshot(self, who: str, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{name}.png"
        self.pages[who].screenshot(path=str(path), full_page=full_page)
        return path

    def close(self, failed: bool) -> None:
        for who in list(self.pages):
            if failed:
                try:
                    self.screenshot(who, f"FAILED-{who}")
                except Exception:  # noqa: BLE001 - a dead page must not hide the real failure
                    pass
        for context in self.contexts:
            context.close()


@pytest.fixture
def desk(browser, live_server, request):
    """Pages for the people of the desk; a failing test leaves a screenshot of each page it had open."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    desk = Desk(browser, live_server.url, name)
    yield desk
    report = getattr(request.node, "report_call", None)
    desk.close(failed=bool(report and report.failed))


def publish_screenshot(source: Path, target: Path) -> None:
    """Copy a test screenshot to a committed place (the README's picture of the claim page)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
