"""`db backup` / `db restore`: a round trip gives back every row of every table, and nothing is overwritten by accident."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from factcheck import backup, claim_index, create_app, db, index_store, logins, search
from factcheck.models import Claim, ClaimLink, ClaimStatus, Evidence, LoginAttempt, PriorFactCheck, Role, Stance, User
from tests.factories import make_article, make_claim, make_published_verdict, make_user


def every_row(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Each table's rows in a stable order, values as text so both databases compare alike; all but
    the restore epoch, which a restore renews on purpose."""
    out = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        for name in sorted(set(inspector.get_table_names()) - {"restoreepoch"}):
            # columns only: reflecting the whole table would warn that SQLite cannot reflect lower(username)'s index
            columns = (sa.Column(c["name"], c["type"]) for c in inspector.get_columns(name))
            table = sa.Table(name, sa.MetaData(), *columns)
            rows = conn.execute(sa.select(table).order_by(*table.columns)).all()
            out[name] = [tuple(str(v) for v in row) for row in rows]
    return out


def fill(session):
    editor, reviewer = make_user(session, Role.EDITOR, username="eva"), make_user(session, Role.REVIEWER, username="rob")
    article = make_article(session, text="The bridge cost $2.6 million. Café owners said prices rose 20 %.",
                           title="Ünïcode “quotes”", imported_by=editor)
    a = make_claim(session, article, text="The bridge cost $2.6 million.", assignee=reviewer, status=ClaimStatus.IN_RESEARCH)
    b = make_claim(session, article, text="Café owners said prices rose 20 %.")
    make_published_verdict(session, b, reviewer, editor)
    session.add_all([ClaimLink(claim_a_id=a.id, claim_b_id=b.id, score=81.5),
                     Evidence(claim_id=a.id, url="https://x.example/", quote="“q”", stance=Stance.SUPPORTS,
                              added_by_id=reviewer.id)])
    session.commit()
    logins.record_failure(session=session, username="mallory", address="203.0.113.9")
    return a


def test_a_backup_restored_over_a_changed_database_gives_back_every_row(app, runner, session, tmp_path):
    claim = fill(session)
    engine = db.get_engine(app)
    epoch = backup.renew_epoch(engine)  # the backup carries this row
    before = every_row(engine)
    assert sum(len(rows) for rows in before.values()) >= 15
    result = runner.invoke(args=["db", "backup", str(tmp_path / "desk.backup")])
    assert result.exit_code == 0, result.output
    claim = session.get(Claim, claim.id)
    claim.text = "changed after the backup"
    session.add(claim)
    session.delete(session.exec(select(Evidence)).one())
    session.add(LoginAttempt(username="late", address="x"))
    session.commit()
    make_user(session, Role.REVIEWER, username="latecomer")
    assert every_row(engine) != before
    result = runner.invoke(args=["db", "restore", str(tmp_path / "desk.backup"), "--force"])
    assert result.exit_code == 0, result.output
    assert every_row(engine) == before
    session.rollback()
    assert index_store.database_epoch(session) not in (None, epoch)


def test_a_restore_reaches_the_search_index_of_every_other_worker(app, runner, session, tmp_path):
    fill(session)
    assert runner.invoke(args=["db", "backup", str(tmp_path / "desk.backup")]).exit_code == 0
    make_claim(session, text="Zebra crossings were painted purple overnight.")
    other_worker = claim_index.IndexFollower(claim_index._directories[str(db.get_engine(app).url)])
    assert [m for m in other_worker.sync(session).search("zebra crossings purple", limit=1) if m.score > 80]
    session.rollback()  # end the read: PostgreSQL's restore drops these tables
    result = runner.invoke(args=["db", "restore", str(tmp_path / "desk.backup"), "--force"])
    assert result.exit_code == 0 and "Search index rebuilt" in result.output, result.output
    assert not [m for m in other_worker.sync(session).search("zebra crossings purple", limit=1) if m.score > 80]
    assert other_worker.sync(session).search("The bridge cost $2.6 million.", limit=1)


def top_hit(index, query: str) -> int | None:
    """The id of the claim an index answers `query` with, when it is a close match."""
    hits = [m for m in index.search(query, limit=1) if m.score >= 80]
    return hits[0].claim_id if hits else None


@pytest.mark.parametrize("directory", ["shared", "its own"])
def test_a_worker_that_loaded_its_index_before_a_restore_answers_from_the_restored_claims(
        app, session, tmp_path, directory):
    """Another worker keeps its index in memory, maybe on another host with an index directory of its
    own, and the restored change log restarts below the ids it has seen: it must notice the restore at
    its next search and leave its base, built for the database it replaced, for a new one."""
    engine = db.get_engine(app)
    pelicans = make_claim(session, text="Forty pelicans nested on the lighthouse roof.")
    backup.backup_database(engine, tmp_path / "desk.backup")
    make_claim(session, text="Zebra crossings were painted purple overnight.")
    path = claim_index._directories[str(engine.url)] if directory == "shared" else tmp_path / "other-host-index"
    with index_store.build_lock(path):
        old_base = index_store.build_base(session, path)
    worker = claim_index.IndexFollower(path)
    assert worker.sync(session).source == old_base.path
    assert top_hit(worker.sync(session), "zebra crossings painted purple") is not None
    session.rollback()  # end the read: PostgreSQL's restore drops these tables

    backup.restore_database(engine, tmp_path / "desk.backup", force=True)
    flamingos = make_claim(session, text="Seventeen flamingos escaped from the city zoo.")  # reuses the zebra's ids

    index = worker.sync(session)
    assert top_hit(index, "zebra crossings painted purple") is None
    assert top_hit(index, "pelicans nested on the lighthouse") == pelicans.id
    assert top_hit(index, "flamingos escaped from the zoo") == flamingos.id
    assert index.source != old_base.path
    restarted = claim_index.IndexFollower(path)  # a worker started after the restore
    assert restarted.sync(session).source != old_base.path
    assert top_hit(restarted.index, "zebra crossings painted purple") is None
    session.rollback()
    deadline = time.monotonic() + 10  # one of them writes a base for the restored database
    while (worker.rebuilding or restarted.rebuilding) and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh = index_store.current_base(path)
    assert fresh is not None and fresh.path != old_base.path and fresh.epoch == index_store.database_epoch(session)
    assert top_hit(worker.sync(session), "flamingos escaped from the zoo") == flamingos.id


def test_a_worker_that_loaded_the_other_desks_fact_checks_before_a_restore_answers_from_the_restored_ones(
        app, session, tmp_path):
    """Other desks' fact-checks are followed by id and count: a restored database holding as many of
    them below the ids a worker has seen, but others, must not pass for the one it loaded."""
    engine = db.get_engine(app)
    tram = PriorFactCheck(url="https://a.example/1", publisher="A",
                          claim_text="The tram line carried two million riders.")
    session.add(tram)
    session.commit()
    backup.backup_database(engine, tmp_path / "desk.backup")
    session.delete(tram)
    session.add(PriorFactCheck(url="https://a.example/2", publisher="A",
                               claim_text="Otters returned to the river after forty years."))
    session.commit()
    worker = claim_index.PriorFollower()
    assert top_hit(worker.sync(session), "otters returned to the river") is not None
    session.rollback()
    backup.restore_database(engine, tmp_path / "desk.backup", force=True)
    index = worker.sync(session)
    assert top_hit(index, "otters returned to the river") is None
    assert top_hit(index, "tram line carried two million riders") == tram.id


def test_restore_refuses_to_overwrite_a_desk_without_force(app, runner, session, tmp_path):
    fill(session)
    assert runner.invoke(args=["db", "backup", str(tmp_path / "desk.backup")]).exit_code == 0
    make_user(session, Role.REVIEWER, username="keepme")
    result = runner.invoke(args=["db", "restore", str(tmp_path / "desk.backup")])
    assert result.exit_code != 0 and "restore with --force" in result.output
    session.commit()
    assert session.exec(select(User).where(User.username == "keepme")).first() is not None


def test_a_restore_into_a_fresh_database_needs_no_force_and_search_follows_it(app, runner, session, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        return  # one PostgreSQL database per run: the forced round trip above covers it
    fill(session)
    assert runner.invoke(args=["db", "backup", str(tmp_path / "desk.backup")]).exit_code == 0
    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    fresh_engine = db.make_engine(fresh_url)
    db.upgrade(fresh_engine)
    other = create_app({"TESTING": True, "DATABASE_URL": fresh_url, "SECRET_KEY": "x" * 32,
                        "INDEX_DIR": str(tmp_path / "index2")})
    with other.app_context():
        with db.get_engine(other).connect():
            pass
        from sqlmodel import Session
        with Session(db.get_engine(other)) as s:  # the follower caches the empty database's index
            assert search.search_claims(session=s, query="bridge cost").total == 0
        result = other.test_cli_runner().invoke(args=["db", "restore", str(tmp_path / "desk.backup")])
        assert result.exit_code == 0, result.output
        with Session(db.get_engine(other)) as s:
            assert search.search_claims(session=s, query="bridge cost").total >= 1
    assert every_row(fresh_engine) == every_row(db.get_engine(app))
    fresh_engine.dispose()
    claim_index.forget(fresh_url)


def test_a_file_that_is_not_a_backup_is_refused(app, runner, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        return
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(args=["db", "restore", str(junk), "--force"])
    assert result.exit_code != 0 and "not a SQLite database" in result.output
    assert runner.invoke(args=["db", "restore", str(tmp_path / "missing.backup")]).exit_code != 0


def test_pg_dump_missing_from_path_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    engine = sa.create_engine("postgresql+psycopg://u:p@127.0.0.1:1/none")
    try:
        backup.backup_database(engine, "/tmp/never-written.backup")
    except backup.BackupError as exc:
        assert "pg_dump is not on PATH" in exc.message
    else:
        raise AssertionError("no error without pg_dump")
    finally:
        engine.dispose()


def lookalike(path, script: str):
    """A SQLite file made by hand: the shape a careless restore used to accept."""
    import sqlite3
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.close()
    return path


def test_a_sqlite_file_that_only_looks_like_a_desk_is_refused_and_the_desk_kept(app, runner, session, tmp_path,
                                                                                  database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite files")
    fill(session)
    session.commit()
    before = every_row(db.get_engine(app))
    tables = "create table user(x); create table claim(x); create table auditevent(x);"
    for name, script, reason in [
        ("tables.sqlite", tables, "it has no schema revision (alembic_version)"),
        ("future.sqlite", tables + "create table alembic_version(version_num); insert into alembic_version values ('9999');",
         "schema revision 9999 is not one of factcheck's migrations"),
        ("stamped.sqlite", tables + "create table alembic_version(version_num); "
                                    f"insert into alembic_version values ('{db.head_revision()}');",
         "is not a factcheck backup: it lacks"),
    ]:
        result = runner.invoke(args=["db", "restore", str(lookalike(tmp_path / name, script)), "--force"])
        assert result.exit_code == 1 and reason in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert every_row(db.get_engine(app)) == before
    assert runner.invoke(args=["claims", "list"]).exit_code == 0
    assert not list(tmp_path.glob(".*.restore*")), "the checked copy is removed"


def test_a_backup_of_an_earlier_schema_comes_back_at_todays(app, runner, session, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite files")
    old = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    db.upgrade(old, "0003")
    with old.begin() as conn:
        conn.exec_driver_sql("INSERT INTO user (username, password_hash, role, active, session_epoch, created_at) "
                             "VALUES ('olda', 'x', 'admin', 1, 0, '2025-01-01 00:00:00')")
    old.dispose()
    result = runner.invoke(args=["db", "restore", str(tmp_path / "old.sqlite"), "--force"])
    assert result.exit_code == 0, result.output
    with db.get_engine(app).connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == db.head_revision()
        assert conn.exec_driver_sql("SELECT username FROM user").scalars().all() == ["olda"]


def test_a_postgresql_dump_from_before_the_restore_epoch_comes_back_over_todays_desk(app, tmp_path, database_url):
    """pg_restore --clean drops only the tables a dump holds: the restore epoch's, newer than the dump,
    is still there when the upgrade that follows reaches its migration, which must take it as it is."""
    if not database_url.startswith("postgresql"):
        pytest.skip("pg_dump files")
    engine = db.get_engine(app)
    engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    db.upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO \"user\" (username, password_hash, role, active, session_epoch, created_at) "
                             "VALUES ('olda', 'x', 'admin', true, 0, now())")
    backup.backup_database(engine, tmp_path / "old.backup")
    db.upgrade(engine)  # the desk runs this release when the old dump is restored over it
    epoch = backup.renew_epoch(engine)
    backup.restore_database(engine, tmp_path / "old.backup", force=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == db.head_revision()
        assert conn.exec_driver_sql("SELECT username FROM \"user\"").scalars().all() == ["olda"]
        assert conn.exec_driver_sql("SELECT epoch FROM restoreepoch").scalars().all() not in ([], [epoch])


def test_an_older_backup_holding_usernames_differing_in_case_restores_with_every_account(app, runner, tmp_path,
                                                                                        database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite files")
    old = db.make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    db.upgrade(old, "0004")
    with old.begin() as conn:
        for name in ("olda", "OldA"):
            conn.exec_driver_sql("INSERT INTO user (username, password_hash, role, active, session_epoch, created_at) "
                                 "VALUES (?, 'x', 'admin', 1, 0, '2025-01-01 00:00:00')", (name,))
    old.dispose()
    result = runner.invoke(args=["db", "restore", str(tmp_path / "old.sqlite"), "--force"])
    assert result.exit_code == 0, result.output
    with db.get_engine(app).connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == db.head_revision()
        assert conn.exec_driver_sql("SELECT username FROM user ORDER BY id").scalars().all() == ["olda", "OldA-2"]


def test_a_backup_into_a_missing_directory_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(args=["db", "backup", str(tmp_path / "nonexistdir" / "x.sqlite")])
    assert result.exit_code == 1
    assert f"cannot write {tmp_path / 'nonexistdir' / 'x.sqlite'}: No such file or directory" in result.output


def test_a_worker_loading_its_base_as_the_restore_renews_the_epoch_answers_from_the_restored_claims(
        app, session, database_url, tmp_path, monkeypatch):
    """pg_restore has put the backup's rows back, the backup's own epoch among them, and `db restore`
    renews the epoch a moment later: a worker loading its index in between reads the backup's epoch,
    opens the base built for the database the restore replaced, then sees the new epoch when it
    follows the log. It must load again, not answer from that base until its next search."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite: the load reads one snapshot, in which the epoch cannot change")
    engine = db.get_engine(app)
    backup.renew_epoch(engine)  # the epoch the backup carries, and that the base is built under
    pelicans = make_claim(session, text="Forty pelicans nested on the lighthouse roof.")
    backup.backup_database(engine, tmp_path / "desk.backup")
    make_claim(session, text="Zebra crossings were painted purple overnight.")
    path = claim_index._directories[str(engine.url)]
    with index_store.build_lock(path):
        old_base = index_store.build_base(session, path)
    session.rollback()
    renew = backup.renew_epoch
    monkeypatch.setattr(backup, "renew_epoch", lambda engine: None)  # the restore's rows are back, not yet its epoch
    backup.restore_database(engine, tmp_path / "desk.backup", force=True)
    real_base = index_store.current_base

    def base_then_renew(directory):
        found = real_base(directory)
        renew(engine)  # db restore's last step commits now
        monkeypatch.setattr(index_store, "current_base", real_base)
        return found
    monkeypatch.setattr(index_store, "current_base", base_then_renew)
    worker = claim_index.IndexFollower(path)
    index = worker.sync(session)
    assert top_hit(index, "zebra crossings painted purple") is None
    assert top_hit(index, "pelicans nested on the lighthouse") == pelicans.id
    assert index.source != old_base.path
    session.rollback()
    deadline = time.monotonic() + 10  # it writes a base for the restored database meanwhile
    while worker.rebuilding and time.monotonic() < deadline:
        time.sleep(0.05)
