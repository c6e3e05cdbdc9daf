"""flaskr-style fixtures: app, client, runner, session, auth; a fresh database for every test.

SQLite by default (a file per test). With DATABASE_URL pointing at PostgreSQL the same tests run
there: the schema is created once per run and every table is emptied before each test.
"""
from __future__ import annotations

import gc
import os
import re
import threading
import time

os.environ.setdefault("FACTCHECK_EMBEDDINGS", "0")  # lexical matching: fast tests; tests/matching opts in

import pytest
from flask.testing import FlaskClient
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from factcheck import claim_index, create_app, db, users, verdicts
from factcheck.models import Role
from tests import factories

PG_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Production hashes are slow on purpose; tests need many of them."""
    monkeypatch.setattr(users, "HASH_METHOD", "pbkdf2:sha256:1000")


def worker_database(request) -> str:
    """Under pytest-xdist each worker gets a database of its own beside the configured one."""
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    if not worker:
        return PG_URL
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first() is None:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_engine(request):
    if not PG_URL:
        yield None
        return
    engine = db.make_engine(worker_database(request))
    with engine.begin() as conn:  # a clean schema, whatever an interrupted run left behind
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, pg_engine):
    if pg_engine is None:
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
        db.create_all(db.make_engine(url))
        return url
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '20s'")  # a leaked transaction fails loudly, not forever
        # A connection a previous test left in a transaction (an app built inside a test) must not
        # block the cleanup: end those sessions first.
        conn.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                             "AND pid <> pg_backend_pid() AND state IN ('idle in transaction', 'idle in transaction (aborted)')")
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    return pg_engine.url.render_as_string(hide_password=False)


class ClosingClient(FlaskClient):
    """Closes every response at the end of the test: a streamed response left open keeps its request
    context, and with it a database transaction, which would block the next test's cleanup."""

    opened: list = []

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        ClosingClient.opened.append(response)
        return response


def _close_responses() -> None:
    while ClosingClient.opened:
        ClosingClient.opened.pop().close()


@pytest.fixture(autouse=True)
def close_responses():
    yield
    _close_responses()


@pytest.fixture
def app(database_url, tmp_path):
    claim_index.forget(str(db.make_engine(database_url).url))
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                      "WTF_CSRF_ENABLED": True, "INDEX_DIR": str(tmp_path / "index")})
    app.test_client_class = ClosingClient
    with app.app_context():
        with Session(db.get_engine(app)) as s:
            verdicts.ensure_default_scale(s)
    yield app
    # A connection still checked out here is a leak (a session or a stream never closed): the test
    # fails, after the garbage collector has finalised the connection right here rather than at a
    # random later moment: on CPython 3.11.7 a finaliser that runs inside ast.parse (werkzeug
    # compiles URL rules with it) fails that parse with "AST constructor recursion depth mismatch"
    # (python/cpython#106905), which broke one CI run.
    _close_responses()
    engine = db.get_engine(app)
    leaked = getattr(engine.pool, "checkedout", lambda: 0)()
    if leaked:
        gc.collect()
    engine.dispose()
    assert not leaked, f"{leaked} database connection(s) left checked out: a session or a stream was not closed"


@pytest.fixture
def session(app):
    with Session(db.get_engine(app), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client, session):
        self.client = client
        self.session = session
        self.users = {}

    def user(self, role: Role | str = Role.REVIEWER, name: str | None = None):
        role = Role(role)
        key = name or role.value
        if key not in self.users:
            self.users[key] = factories.make_user(self.session, role, username=key)
        return self.users[key]

    def login(self, role: Role | str = Role.REVIEWER, name: str | None = None):
        user = self.user(role, name)
        page = self.client.get("/login")
        response = self.client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                                     "csrf_token": token_in(page.get_data(as_text=True))})
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    def logout(self):
        return self.post("/logout")

    def csrf(self) -> str:
        return token_in(self.client.get("/login").get_data(as_text=True))

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kw)


def token_in(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def auth(client, session):
    return AuthActions(client, session)


class Meanwhile:
    """Two changes interleaved on purpose: just before this app's next statement that starts with a
    given prefix, another change runs on a connection of its own (in a thread, as another worker
    would) until it has committed or is waiting for a lock that this test's transaction holds."""

    def __init__(self, app, url: str):
        self.engine = db.get_engine(app)
        self.other = db.writer(db.make_engine(url))
        self.threads: list[threading.Thread] = []
        self.hooks = []

    def __call__(self, prefix: str, change) -> dict:
        """change(session) runs once; its result or exception lands in the returned dict."""
        outcome: dict = {}

        def run():
            try:
                with Session(self.other, expire_on_commit=False) as s:
                    outcome["result"] = change(s)
            except Exception as exc:  # the test reads it from `outcome`
                outcome["error"] = exc

        def hook(_conn, _cursor, statement, *_args):
            if self.threads or not statement.replace('"', "").startswith(prefix):
                return
            thread = threading.Thread(target=run, daemon=True)
            self.threads.append(thread)
            thread.start()
            self._until_done_or_waiting(thread)

        sa.event.listen(self.engine, "before_cursor_execute", hook)
        self.hooks.append(hook)
        return outcome

    def _until_done_or_waiting(self, thread) -> None:
        if self.engine.dialect.name != "postgresql":
            thread.join(1)  # SQLite's waiting cannot be seen: the other change is either done or queued at BEGIN
            return
        deadline = time.monotonic() + 15
        with self.other.connect() as monitor:
            while thread.is_alive() and time.monotonic() < deadline:
                waiting = monitor.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'").scalar()
                monitor.rollback()
                if waiting:
                    return
                thread.join(0.02)
        assert not thread.is_alive() or time.monotonic() < deadline, "the other change neither finished nor waited"

    def join(self) -> None:
        """Wait for the other change to end, before reading its outcome."""
        for thread in self.threads:
            thread.join(30)
            assert not thread.is_alive(), "the other change never finished"

    def finish(self) -> None:
        for hook in self.hooks:
            sa.event.remove(self.engine, "before_cursor_execute", hook)
        self.join()
        self.other.dispose()


@pytest.fixture
def meanwhile(app, database_url):
    interleaving = Meanwhile(app, database_url)
    yield interleaving
    interleaving.finish()
