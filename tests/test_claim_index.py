"""The shared index: a base on disk, the change log on top, and several processes in step."""
import contextlib
import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from factcheck import claim_index, claims, index_store, search
from factcheck.models import Role
from tests.factories import make_article, make_claim, make_user

WORKER = textwrap.dedent("""
    import sys, time
    from sqlmodel import Session
    from factcheck import create_app, db, search
    app = create_app({"DATABASE_URL": sys.argv[1], "INDEX_DIR": sys.argv[2], "SECRET_KEY": "x"})
    def found(query):
        with app.app_context(), Session(db.get_engine(app)) as s:
            hits = search.search_claims(session=s, query=query).hits
            return bool(hits) and hits[0].score >= 90
    found("warm up")
    print("ready", flush=True)
    for line in sys.stdin:
        want, query = line.rstrip("\\n").split(" ", 1)
        start = time.monotonic()
        while found(query) != (want == "find") and time.monotonic() - start < 10:
            time.sleep(0.02)
        print(round(time.monotonic() - start, 3), flush=True)
""")



@contextlib.contextmanager
def another_worker(database_url: str, index_dir: str):
    """A worker in a process of its own; `ask("find TEXT")` / `ask("gone TEXT")` answers how many
    seconds it took until its search found (or stopped finding) the text, 10 at most."""
    env = dict(os.environ, FACTCHECK_EMBEDDINGS="0")
    worker = subprocess.Popen([sys.executable, "-c", WORKER, database_url, index_dir],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert worker.stdout.readline().strip() == "ready"

        def ask(command: str) -> float:
            worker.stdin.write(command + "\n")
            worker.stdin.flush()
            return float(worker.stdout.readline())
        yield ask
    finally:
        worker.stdin.close()
        worker.wait(timeout=10)
        worker.stdout.close()

def test_a_change_in_one_process_reaches_another_within_a_second(app, session, database_url, tmp_path):
    editor = make_user(session, Role.EDITOR)
    article = make_article(session)
    make_claim(session, article, text="The harbour bridge opened in 1962.")
    with another_worker(database_url, app.config["INDEX_DIR"]) as ask:
        claim = claims.add_claim(session=session, actor=editor, article=article,
                                 text="Seventeen flamingos escaped from the city zoo on Monday.")
        assert ask("find Seventeen flamingos escaped from the city zoo on Monday") < 1.0
        claims.edit_claim(session=session, actor=editor, claim=claim, text="A walrus learned to play the trumpet.",
                          speaker=None)
        assert ask("gone Seventeen flamingos escaped from the city zoo on Monday") < 1.0
        assert ask("find A walrus learned to play the trumpet") < 1.0
        other = make_claim(session, article, text="Nine pelicans nested on the town hall roof.")
        assert ask("find Nine pelicans nested on the town hall roof") < 1.0
        claims.merge_claims(session=session, actor=editor, keep=claim, others=[other])
        assert ask("gone Nine pelicans nested on the town hall roof") < 1.0


def test_reindex_writes_a_base_that_new_workers_map_and_follow(app, session, database_url, runner):
    article = make_article(session)
    first = make_claim(session, article, text="The museum received four hundred new paintings.")
    result = runner.invoke(args=["claims", "reindex"])
    assert result.exit_code == 0, result.output
    base = index_store.current_base(claim_index._directories[str(session.get_bind().url)])
    assert base is not None and base.claims == 1
    assert json.loads((base.path / "factcheck.json").read_text())["last_change_id"] >= 1
    later = make_claim(session, article, text="The library extended its opening hours to midnight.")
    claim_index.forget(str(session.get_bind().url))  # a fresh worker: it opens the base from disk
    index = claim_index.current_index(session)
    assert index.source == base.path
    assert first.id in index and later.id in index
    assert search.search_claims(session=session, query="library opening hours midnight").hits[0].claim.id == later.id


def test_a_worker_switches_to_a_new_base_between_requests(app, session, runner):
    article = make_article(session)
    make_claim(session, article, text="The ferry timetable changes in spring.")
    assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    index = claim_index.current_index(session)
    old_source = index.source
    time.sleep(0.01)
    assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    assert claim_index.current_index(session).source != old_source


def test_a_base_of_an_older_normaliser_is_rebuilt_not_searched(app, session, runner):
    """Its texts were normalised another way (before other scripts kept their words): searching it
    would miss claims, so workers read the database meanwhile and one of them builds a new base."""
    article = make_article(session)
    ru = make_claim(session, article, text="Инфляция выросла до 4,2 процента в марте.")
    assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    directory = claim_index._directories[str(session.get_bind().url)]
    old = index_store.current_base(directory)
    meta = json.loads((old.path / "factcheck.json").read_text())
    (old.path / "factcheck.json").write_text(json.dumps({**meta, "normaliser": 1}))
    assert index_store.current_base(directory) is None
    claim_index.forget(str(session.get_bind().url))
    assert search.search_claims(session=session, query="инфляция").hits[0].claim.id == ru.id
    deadline = time.monotonic() + 10
    while index_store.current_base(directory) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    fresh = index_store.current_base(directory)
    assert fresh is not None and fresh.path != old.path
    assert claim_index.current_index(session).source == fresh.path


@pytest.mark.parametrize("reindex_between", [False, True])
def test_a_claim_committed_after_a_later_one_is_still_followed(app, session, runner, database_url, reindex_between):
    """PostgreSQL hands out change ids before commit and commits them in any order: a long import's
    ids sit below those of a short one committed meanwhile (and below a base built meanwhile).
    Workers must still apply them when they commit, however long that takes."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite commits change ids in order")
    from sqlmodel import Session

    from factcheck.models import Claim
    url = str(session.get_bind().url)
    slow = Session(session.get_bind())
    article = make_article(session)
    long_import = Claim(article_id=article.id, text="The Quorvath hospital waiting list fell by a third.", start=0, end=1)
    slow.add(long_import)
    slow.flush()
    claim_index.note_change(slow, long_import.id)
    slow.flush()                                                   # ids taken, not committed
    slow_id = long_import.id
    short = make_claim(session, article, text="The Wexley tunnel opened in 1997.")   # committed, later ids
    if reindex_between:
        assert runner.invoke(args=["claims", "reindex"]).exit_code == 0
    claim_index.forget(url)
    index = claim_index.current_index(session)                  # a worker loads now
    assert short.id in index and slow_id not in index
    time.sleep(0.3)
    claim_index.current_index(session)
    slow.commit()
    slow.close()
    time.sleep(claim_index.GAP_RECHECK_S + 0.05)
    session.commit()  # a fresh read, as the worker's next request makes
    assert slow_id in claim_index.current_index(session)


def test_a_restore_reaches_a_worker_in_another_process_with_an_index_of_its_own(app, session, database_url, runner,
                                                                                  tmp_path):
    """A worker on another host keeps its index in memory until it restarts; after `db restore` its next
    searches answer from the restored claims, new ones included, whose change ids it had seen before."""
    article = make_article(session)
    make_claim(session, article, text="Forty pelicans nested on the lighthouse roof.")
    assert runner.invoke(args=["db", "backup", str(tmp_path / "desk.backup")]).exit_code == 0
    make_claim(session, article, text="Zebra crossings were painted purple overnight.")
    with another_worker(database_url, str(tmp_path / "other-host-index")) as ask:
        assert ask("find Zebra crossings were painted purple overnight") < 1.0
        result = runner.invoke(args=["db", "restore", str(tmp_path / "desk.backup"), "--force"])
        assert result.exit_code == 0, result.output
        make_claim(session, article, text="Seventeen flamingos escaped from the city zoo on Monday.")
        assert ask("find Seventeen flamingos escaped from the city zoo on Monday") < 1.0
        assert ask("gone Zebra crossings were painted purple overnight") < 1.0
        assert ask("find Forty pelicans nested on the lighthouse roof") < 1.0
