"""Consistent backups while the desk runs, and restores that refuse to overwrite data by accident.

SQLite uses its online backup API (a consistent snapshot even while workers write); PostgreSQL uses
pg_dump's custom format and pg_restore. Both come back through the same two functions, and a restore
first checks that the file is a factcheck database at a schema revision this release knows, and
ends by giving the database a new restore epoch, which every worker's search index follows.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, delete

from factcheck import claim_index, db
from factcheck.errors import FactcheckError
from factcheck.models import RESTORE_EPOCH_ROW, RestoreEpoch

# Tables whose rows mean the desk is in use; a freshly upgraded database only has the rating scale.
DESK_TABLES = ("user", "article", "claim")


class BackupError(FactcheckError):
    status = 400


def backup_database(engine: sa.Engine, path: Path) -> Path:
    """Write a backup of the engine's database to path (replaced atomically if it exists)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: {os.strerror(errno.ENOENT)}")
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
        _check_pg_dump(path)
        _restore_postgres(engine, path)
        db.upgrade(engine)  # a dump of an earlier release comes back at today's schema
    else:
        raise BackupError(f"Restoring {engine.dialect.name} databases is not supported.")
    engine.dispose()  # pooled connections may have cached the old schema
    renew_epoch(engine)
    claim_index.forget(str(engine.url))


def renew_epoch(engine: sa.Engine) -> str:
    """A new restore epoch, written after the restore: the backup brought its own row, which may be
    the very epoch the workers' indexes were loaded under."""
    epoch = uuid.uuid4().hex
    with Session(db.writer(engine)) as s:
        s.exec(delete(RestoreEpoch))
        s.add(RestoreEpoch(id=RESTORE_EPOCH_ROW, epoch=epoch))
        s.commit()
    return epoch


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
    try:
        dest = sqlite3.connect(tmp)
    except sqlite3.Error as exc:  # e.g. a directory we may not write in
        raise BackupError(f"cannot write {path}: {exc}") from None
    src = sqlite3.connect(source, timeout=30)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}.") from None
    finally:
        dest.close()
        src.close()
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"cannot write {path}: {exc.strerror}") from None
    return path


def _restore_sqlite(path: Path, target: Path) -> None:
    """The backup is copied beside the desk's file, checked and brought to today's schema there; only
    then is it copied over the desk, so a file that is not a factcheck database never replaces it."""
    work = target.with_name(f".{target.name}.{os.getpid()}.restore")
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            try:
                ok = src.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                raise BackupError(f"{path} is not a SQLite database.") from None
            if not ok:
                raise BackupError(f"{path} is damaged (SQLite's quick_check failed).")
            copy = sqlite3.connect(work)
            try:
                src.backup(copy)
            finally:
                copy.close()
        finally:
            src.close()
        _check_and_upgrade(path, work)
        src, dest = sqlite3.connect(work), sqlite3.connect(target, timeout=30)
        try:
            src.backup(dest)
        finally:
            dest.close()
            src.close()
    finally:
        for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
            leftover.unlink(missing_ok=True)


def _check_and_upgrade(path: Path, work: Path) -> None:
    """Refuse unless `work` carries a schema revision of ours; upgrade it; then every table and column
    of the models must be there (a stamp alone is easy to fake)."""
    engine = db.make_engine(f"sqlite:///{work}")
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            revisions = [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")] \
                if "alembic_version" in tables else []
        _check_revisions(path, revisions)
        try:
            db.upgrade(engine)
        except Exception as exc:  # any failure of a migration on a foreign file means: not restorable
            raise BackupError(f"{path} is not a factcheck backup: it cannot be brought to the current "
                              f"schema ({type(exc).__name__}).") from None
        inspector = sa.inspect(engine)
        have = set(inspector.get_table_names())
        missing = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in have]
        missing += [f"{t.name}.{c.name}" for t in SQLModel.metadata.sorted_tables if t.name in have
                    for c in t.columns if c.name not in {col["name"] for col in inspector.get_columns(t.name)}]
        _refuse_missing(path, missing)
    finally:
        engine.dispose()


def _refuse_missing(path: Path, missing: list[str]) -> None:
    """Tables or columns of today's models that the backup lacks: then it is not ours."""
    if missing:
        raise BackupError(f"{path} is not a factcheck backup: it lacks {', '.join(missing[:5])}"
                          f"{' and more' if len(missing) > 5 else ''}.")


def _check_revisions(path: Path, revisions: list[str]) -> None:
    if not revisions:
        raise BackupError(f"{path} is not a factcheck backup: it has no schema revision (alembic_version).")
    unknown = [r for r in revisions if r not in db.known_revisions()]
    if len(revisions) > 1 or unknown:
        raise BackupError(f"{path} is not a backup this release can restore: its schema revision "
                          f"{', '.join(revisions)} is not one of factcheck's migrations (a newer release?).")


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


def _check_pg_dump(path: Path) -> None:
    """Read the dump's table of contents and its alembic_version rows (pg_restore reads the file alone,
    no server): a known revision, and at today's revision every table of the models."""
    listing = _output([_tool("pg_restore"), "--list", str(path)], path)
    tables = {name.strip('"') for name in re.findall(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", listing, re.MULTILINE)}
    data = _output([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)], path) \
        if "alembic_version" in tables else ""
    rows = re.search(r"^COPY \S*alembic_version .*? FROM stdin;\n(.*?)^\\\.$", data, re.MULTILINE | re.DOTALL)
    revisions = rows.group(1).split() if rows else []
    _check_revisions(path, revisions)
    missing = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in tables]
    if revisions[0] == db.head_revision():
        _refuse_missing(path, missing)


def _output(args: list[str], path: Path) -> str:
    result = subprocess.run(args, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump custom format) that pg_restore can read.")
    return result.stdout


def _restore_postgres(engine: sa.Engine, path: Path) -> None:
    engine.dispose()  # our own pooled connections would otherwise block the drops
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={engine.url.database}", str(path)], _pg_env(engine))
