import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from factcheck import db


def test_upgrade_from_empty_matches_the_models(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    db.upgrade(engine)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables and "alembic_version" in tables
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_upgrade_twice_is_harmless(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'again.sqlite'}")
    db.upgrade(engine)
    db.upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
