"""Consistent backups while the desk runs, and restores that refuse to overwrite data by accident.

SQLite uses its online backup API (a consistent snapshot even while workers write); PostgreSQL uses
pg_dump's custom format and pg_restore. Both come back through the same two functions.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from factcheck import claim_index
from factcheck.errors import FactcheckError

# Tables whose rows mean the desk is in use; a freshly upgraded database only has the rating scale.
DESK_TABLES = ("user", "article", "claim")


class BackupError(FactcheckError):
    status = 400


def backup_database(engine: sa.Engine, path: Path) -> Path:
    """Write a backup of the engine's database to path (replaced atomically if it exists)."""
    path = Path(path)
    if engine.dialect.name == "sqlite":
        return _backup_sqlite(_sqlite_file(engine), path)
    if engine.dialect.name == "postgresql":
        return _backup_postgres(engine, path)
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def restore_database(engine: sa.Engine, path: Path, force: bool = False) -> None:
    """Replace the database's content with the backup at path; refuses a database in use unless force."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    if not force and holds_desk_data(engine):
        raise BackupError("The database already holds users, articles or claims; "
                          "restore with --force to overwrite them.")
    if engine.dialect.name == "sqlite":
        _restore_sqlite(path, _sqlite_file(engine))
    elif engine.dialect.name == "postgresql":
        _restore_postgres(engine, path)
    else:
        raise BackupError(f"Restoring {engine.dialect.name} databases is not supported.")
    engine.dispose()  # pooled connections may have cached the old schema
    claim_index.forget(str(engine.url))


def holds_desk_data(engine: sa.Engine) -> bool:
    tables = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        for name in DESK_TABLES:
            if name in tables and conn.execute(sa.select(sa.literal(1)).select_from(sa.table(name)).limit(1)).first():
                return True
    return False


def _sqlite_file(engine: sa.Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up or restored.")
    return Path(database)


def _backup_sqlite(source: Path, path: Path) -> Path:
    if not source.exists():
        raise BackupError(f"The database file {source} does not exist.")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    src = sqlite3.connect(source, timeout=30)
    dest = sqlite3.connect(tmp)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}.") from None
    finally:
        dest.close()
        src.close()
    os.replace(tmp, path)
    return path


def _restore_sqlite(path: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            names = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} is not a SQLite database.") from None
        if not ok or not {"user", "claim", "auditevent"} <= names:
            raise BackupError(f"{path} is not a factcheck backup (or it is damaged).")
        dest = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()


def _pg_env(engine: sa.Engine) -> dict:
    """libpq settings from the URL; the password goes in the environment, never on the command line."""
    url = engine.url
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client tools to back up or restore.")
    return found


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} failed: {detail[-1] if detail else 'exit ' + str(result.returncode)}")


def _backup_postgres(engine: sa.Engine, path: Path) -> Path:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"], _pg_env(engine))
    except BackupError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def _restore_postgres(engine: sa.Engine, path: Path) -> None:
    engine.dispose()  # our own pooled connections would otherwise block the drops
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={engine.url.database}", str(path)], _pg_env(engine))
