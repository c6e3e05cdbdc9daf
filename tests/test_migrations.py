import json
import logging

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from factcheck import db


# SQLite cannot reflect an index on an expression, so the comparison skips lower(username) with these
# warnings; the index is checked by its own SQL instead.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index uq_user_username_lower")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index "
                            "'uq_user_username_lower'")
def test_upgrade_from_empty_matches_the_models(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    db.upgrade(engine)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables and "alembic_version" in tables
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        index_sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'uq_user_username_lower'").scalar()
    assert diff == [], f"models and migrations disagree: {diff}"
    assert index_sql is not None and "UNIQUE INDEX" in index_sql and "lower(username)" in index_sql


def add_user(conn, name: str) -> None:
    conn.exec_driver_sql("INSERT INTO user (username, password_hash, role, active, session_epoch, created_at) "
                         "VALUES (?, 'x', 'reviewer', 1, 0, '2025-01-01 00:00:00')", (name,))


def test_an_older_desk_holding_usernames_differing_in_case_upgrades_and_keeps_every_account(tmp_path, caplog):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    db.upgrade(engine, "0004")
    with engine.begin() as conn:
        for name in ("Alice", "bob", "alice", "ALICE", "alice-2"):
            add_user(conn, name)
    with caplog.at_level(logging.WARNING, logger="factcheck.migrations"):
        db.upgrade(engine)
    with engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT username FROM user ORDER BY id").scalars().all()
        renames = conn.exec_driver_sql("SELECT object_id, changes_json FROM auditevent "
                                       "WHERE action = 'user.rename' ORDER BY object_id").all()
    assert names == ["Alice", "bob", "alice-3", "ALICE-4", "alice-2"]  # the oldest keeps its name; no name is reused
    assert [(i, json.loads(c)) for i, c in renames] == [(3, {"username": ["alice", "alice-3"]}),
                                                        (4, {"username": ["ALICE", "ALICE-4"]})]
    assert "'alice' clashed with an older account and is now 'alice-3'" in caplog.text
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        add_user(conn, "BOB")


def test_upgrade_twice_is_harmless(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'again.sqlite'}")
    db.upgrade(engine)
    db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
