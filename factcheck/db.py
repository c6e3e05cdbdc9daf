"""One engine per app, one session per app context, SQLite tuned for a shared desk."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlmodel import Session, SQLModel

from factcheck import claim_index, models  # noqa: F401  (models registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> sa.Engine:
    """SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a pre-pinged pool."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        # Take the write lock at BEGIN so that concurrent writers queue on busy_timeout
        # instead of failing with "database is locked" when a read upgrades to a write.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITER) else "BEGIN")

    return engine


WRITER = "factcheck_writer"


def writer(engine: sa.Engine) -> sa.Engine:
    """The same engine, but its SQLite transactions take the write lock at BEGIN.

    A deferred transaction that reads and then writes fails at once with "database is locked" when
    another worker committed in between; one that starts IMMEDIATE waits its turn instead. Reads
    stay deferred so that they never queue behind writers (WAL lets them run side by side)."""
    return engine.execution_options(**{WRITER: True})


def get_engine(app=None) -> sa.Engine:
    app = app or current_app
    return app.extensions["factcheck.engine"]


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown; writer for unsafe methods."""
    if "db_session" not in g:
        engine = get_engine()
        if not has_request_context() or request.method not in ("GET", "HEAD", "OPTIONS"):
            engine = writer(engine)
        g.db_session = Session(engine, expire_on_commit=False)
    return g.db_session


def reset_session() -> None:
    """After a failed write, end the request's transaction so the error page can still read (the
    logged-in user, the menu): a session left mid-rollback fails every query that follows."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()


RACE_MESSAGE = ("Someone else saved the same thing at the same moment, so this save was not made; "
                "reload the page to see theirs.")


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Run the alembic migrations up to `revision` on this engine."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def known_revisions() -> set[str]:
    """Every schema revision of this release's migrations: a database stamped with another is not ours."""
    return {script.revision for script in _scripts().walk_revisions()}


def head_revision() -> str:
    return _scripts().get_current_head()


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def create_all(engine: sa.Engine) -> None:
    """Tables straight from the models (fast, for tests and benchmarks), stamped as migrated to head
    so that a later `db upgrade` finds nothing to do."""
    from alembic import command

    SQLModel.metadata.create_all(engine)
    cfg = _alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.stamp(cfg, "head")


def init_app(app) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["factcheck.engine"] = engine
    claim_index.configure(str(engine.url), Path(app.config.get("INDEX_DIR") or Path(app.instance_path) / "index"))
    app.teardown_appcontext(close_session)
