"""New claims written at the same moment as others still link to them: the re-link after commit."""
import threading

import pytest
import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from factcheck import articles, backup, claims, db, links
from factcheck.models import Article, AuditEvent, Claim, ClaimLink, LinkState
from tests.factories import make_article, make_user

HERALD = """Bridge repairs to cost city $2.6 million

The repairs to the Harbour Street bridge will cost the city roughly $2.6 million, the city council said on Tuesday.

The bridge, which opened in 1962, carries about 14,000 vehicles a day, according to the transport department.
"""
COURIER = """Harbour Street bridge repair bill

Repairs to the Harbour Street bridge will cost the city roughly $2.6 million, the council said on Tuesday.

The bridge opened in 1962 and carries about 14,000 vehicles a day, according to the transport department.
"""


def postgres_only(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets no writer commit between another's index snapshot and its commit "
                    "(test_sqlite_refuses_an_import_whose_snapshot_another_commit_outdated)")


def import_text(session, actor, text, outlet):
    return articles.import_article(session=session, actor=actor, source=articles.ArticleSource(text=text),
                                   outlet=outlet)


def other_session(session):
    """A second worker's session on the same database."""
    return Session(db.writer(session.get_bind()), expire_on_commit=False)


def during_first_match(monkeypatch, action):
    """Run `action` once, when the first writer has taken its index snapshot and written its new
    claims but not committed them: as a second worker does that imports at the same moment."""
    real, done = links.suggest_links, []

    def hooked(**kw):
        if not done:
            done.append(True)
            action()
        return real(**kw)
    monkeypatch.setattr(links, "suggest_links", hooked)


def courier_during_first_match(monkeypatch, session, actor) -> list[int]:
    """Import COURIER whole in another worker while the next import is written but not committed;
    the list receives its article id."""
    second: list[int] = []

    def import_b():
        with other_session(session) as s:
            second.append(import_text(s, actor, COURIER, "Courier").id)
    during_first_match(monkeypatch, import_b)
    return second


def links_between(session, first: int, second: int) -> list[tuple[str, str, str]]:
    """The links joining two articles' claims as (first's text, second's text, state): comparable across imports."""
    session.commit()
    both = select(Claim).where(Claim.article_id.in_([first, second]))
    text = {c.id: (c.article_id, c.text) for c in session.exec(both)}
    out = []
    for link in session.exec(select(ClaimLink).where(ClaimLink.claim_a_id.in_(text), ClaimLink.claim_b_id.in_(text))):
        ends = dict([text[link.claim_a_id], text[link.claim_b_id]])
        if set(ends) == {first, second}:
            out.append((ends[first], ends[second], LinkState(link.state).value))
    return sorted(out)


def serial_links(session, reviewer):
    """What the same two stories get when imported one after the other: the expected outcome."""
    first = import_text(session, reviewer, HERALD, "Herald (again)")
    second = import_text(session, reviewer, COURIER, "Courier (again)")
    return links_between(session, first.id, second.id)


def test_two_imports_at_once_link_to_each_other(session, database_url, monkeypatch):
    """Each import's snapshot is taken before the other commits: B runs whole while A is written but not committed."""
    postgres_only(database_url)
    reviewer = make_user(session)
    second = courier_during_first_match(monkeypatch, session, reviewer)
    first = import_text(session, reviewer, HERALD, "Herald")
    monkeypatch.undo()
    found = links_between(session, first.id, second[0])
    assert found, "the two imports of one story were not linked"
    assert found == serial_links(session, reviewer)


def test_a_claim_added_by_hand_links_to_an_import_committed_meanwhile(session, database_url, monkeypatch):
    postgres_only(database_url)
    reviewer = make_user(session)
    article = make_article(session, text="Council notes.", outlet="Gazette")
    imported = []

    def import_b():
        with other_session(session) as s:
            imported.append(import_text(s, reviewer, HERALD, "Herald").id)
    during_first_match(monkeypatch, import_b)
    added = claims.add_claim(session=session, actor=reviewer, article=article,
                             text="The repairs to the Harbour Street bridge will cost the city roughly $2.6 million.")
    monkeypatch.undo()
    partners = {other.article_id for _link, other in links.links_of(session, added.id)}
    assert partners == {imported[0]}


def test_a_relink_honours_a_remembered_rejection(session, database_url, monkeypatch):
    """The desk rejected this pair of wordings once: two copies imported at once are not linked either."""
    postgres_only(database_url)
    reviewer = make_user(session)
    sentence = "The city will spend ${} million on repairs to the Harbour Street bridge."
    one = import_text(session, reviewer, sentence.format("2.6"), "Herald")
    two = import_text(session, reviewer, sentence.format("3.1"), "Courier")
    (pair,) = session.exec(select(ClaimLink)).all()
    links.decide_link(session=session, actor=reviewer, link=pair, state=LinkState.REJECTED)
    copy = []

    def import_b():
        with other_session(session) as s:
            copy.append(import_text(s, reviewer, two.text, "Courier (copy)").id)
    during_first_match(monkeypatch, import_b)
    first = import_text(session, reviewer, one.text, "Herald (copy)")
    monkeypatch.undo()
    assert links_between(session, first.id, copy[0]) == []
    # while each copy is linked to the earlier import of its own wording
    assert [s for *_, s in links_between(session, first.id, one.id)] == ["auto_confirmed"]
    assert [s for *_, s in links_between(session, copy[0], two.id)] == ["auto_confirmed"]


def test_a_relink_that_loses_the_race_keeps_the_other_link(session, database_url, monkeypatch):
    """Between the re-link's read of existing links and its write, another writer links one of its
    pairs: it starts again and leaves that link as it is."""
    postgres_only(database_url)
    reviewer = make_user(session)
    second, raced = [], []
    real_rejected = links._rejected_texts

    def import_b():
        with other_session(session) as s:
            second.append(import_text(s, reviewer, COURIER, "Courier").id)

    def link_first(s, claim_ids):
        if second and not raced:
            theirs = s.exec(select(Claim).where(Claim.id.in_(claim_ids), Claim.article_id == second[0])).all()
            ours = s.exec(select(Claim).where(Claim.article_id != second[0])).all()
            if theirs:
                # the pair the re-link is surest to link: the closest wordings
                best = max(((a, b) for a in ours for b in theirs), key=lambda p: fuzz.ratio(p[0].text, p[1].text))
                a, b = links.pair_key(best[0].id, best[1].id)
                with other_session(s) as other:
                    other.add(ClaimLink(claim_a_id=a, claim_b_id=b, score=12.5, state=LinkState.SUGGESTED))
                    other.commit()
                raced.append((a, b))
        return real_rejected(s, claim_ids)
    during_first_match(monkeypatch, import_b)
    monkeypatch.setattr(links, "_rejected_texts", link_first)
    first = import_text(session, reviewer, HERALD, "Herald")
    monkeypatch.undo()
    assert raced, "the re-link never ran"
    theirs = session.exec(select(ClaimLink).where(ClaimLink.claim_a_id == raced[0][0],
                                                  ClaimLink.claim_b_id == raced[0][1])).one()
    assert theirs.score == 12.5  # not overwritten
    found = links_between(session, first.id, second[0])
    assert len(found) == len(serial_links(session, reviewer))


def import_in_lockstep(monkeypatch, engine, actor, *stories, timeout: float) -> dict[str, int]:
    """Import (text, outlet) stories in threads that keep in step: each takes its snapshot and writes,
    then all commit, then all re-link at once. Returns each outlet's article id."""
    written = threading.Barrier(len(stories), timeout=timeout)
    committed = threading.Barrier(len(stories), timeout=timeout)
    real_suggest, real_missed = links.suggest_links, links.link_missed

    def suggest(**kw):
        if kw.get("among") is None:
            written.wait()  # every snapshot taken and every article written, none committed
        return real_suggest(**kw)

    def missed(**kw):
        committed.wait()  # all committed: each re-link finds the others' claims
        return real_missed(**kw)
    monkeypatch.setattr(links, "suggest_links", suggest)
    monkeypatch.setattr(links, "link_missed", missed)
    done, errors = {}, []

    def run(text, outlet):
        try:
            with Session(engine, expire_on_commit=False) as s:
                done[outlet] = import_text(s, actor, text, outlet).id
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            written.abort()
            committed.abort()
    threads = [threading.Thread(target=run, args=story) for story in stories]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(2 * timeout)
    finally:
        monkeypatch.undo()
    assert not errors, errors
    return done


def test_two_imports_that_relink_at_once_link_each_pair_once(app, database_url, monkeypatch):
    """Two workers: both write, both commit, then both re-link the same pairs at the same moment."""
    postgres_only(database_url)
    engine = db.writer(db.get_engine(app))
    with Session(engine, expire_on_commit=False) as s:
        reviewer = make_user(s)
    done = import_in_lockstep(monkeypatch, engine, reviewer, (HERALD, "Herald"), (COURIER, "Courier"), timeout=30)
    with Session(engine, expire_on_commit=False) as s:
        found = links_between(s, done["Herald"], done["Courier"])
        events = s.exec(select(AuditEvent.object_id).where(AuditEvent.action == "link.suggest",
                                                           AuditEvent.object_type == "claimlink")).all()
        assert found, "the two imports of one story were not linked"
        assert len(events) == len(set(events)) == len(found)  # each link suggested once, by one of the re-links
        assert found == serial_links(s, reviewer)


def test_a_lone_import_relinks_for_one_query_at_most(session, database_url, monkeypatch):
    """With no import at the same moment the re-link only asks the change log, and not at all on SQLite."""
    reviewer = make_user(session)
    import_text(session, reviewer, HERALD, "Herald")
    statements, real = [], links.link_missed

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def counted(**kw):
        sa.event.listen(session.get_bind(), "before_cursor_execute", count)
        try:
            return real(**kw)
        finally:
            sa.event.remove(session.get_bind(), "before_cursor_execute", count)
    monkeypatch.setattr(links, "link_missed", counted)
    second = import_text(session, reviewer, COURIER, "Courier")
    assert len(statements) == (0 if database_url.startswith("sqlite") else 1), statements
    assert links_between(session, second.id - 1, second.id), "the later import did not link in its own transaction"


def test_sqlite_refuses_an_import_whose_snapshot_another_commit_outdated(session, database_url, monkeypatch):
    """Why the re-link is skipped on SQLite: an import whose index snapshot predates another's
    commit fails to write (a stale WAL snapshot cannot take the write lock) instead of missing it;
    an import whose transaction took the write lock at once makes the other wait."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL lets both commit: the re-link covers it")
    reviewer = make_user(session)
    real = articles.index_snapshot

    def snapshot_then_other_import(s):
        taken = real(s)
        monkeypatch.setattr(articles, "index_snapshot", real)
        with other_session(session) as other:
            import_text(other, reviewer, COURIER, "Courier")
        return taken
    monkeypatch.setattr(articles, "index_snapshot", snapshot_then_other_import)
    with pytest.raises(OperationalError, match="locked"):
        import_text(session, reviewer, HERALD, "Herald")
    session.rollback()
    assert [a.outlet for a in session.exec(select(Article))] == ["Courier"]


# The same four sentences, the second story telling them in the opposite order: each re-link then
# meets the shared pairs in the other's reverse order.
SENTENCES = [
    "The repairs to the Harbour Street bridge will cost the city roughly $2.6 million, the council said.",
    "The bridge, which opened in 1962, carries about 14,000 vehicles a day, the transport department said.",
    "The mayor said the work would close two of the bridge's four lanes until the end of next March.",
    "Inspectors found corrosion on 40 of the bridge's steel beams during a survey carried out last spring.",
]
FORWARD = "Bridge repairs\n\n" + "\n\n".join(SENTENCES) + "\n"
BACKWARD = "Bridge repair bill\n\n" + "\n\n".join(reversed(SENTENCES)) + "\n"


def test_two_relinks_at_once_that_meet_their_pairs_in_opposite_orders_both_succeed(app, database_url, monkeypatch):
    """Both re-links insert the same pairs at the same moment: they must not deadlock, which PostgreSQL
    would end by failing one, after its import had committed. A trigger slows each link insert so
    that the two inserts overlap row by row."""
    postgres_only(database_url)
    engine = db.writer(db.get_engine(app))
    with Session(engine, expire_on_commit=False) as s:
        reviewer = make_user(s)
        s.exec(sa.text("CREATE FUNCTION slow_link() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.3); "
                       "RETURN NEW; END $$ LANGUAGE plpgsql"))
        s.exec(sa.text("CREATE TRIGGER slow_link BEFORE INSERT ON claimlink FOR EACH ROW EXECUTE FUNCTION slow_link()"))
        s.commit()
    try:
        done = import_in_lockstep(monkeypatch, engine, reviewer, (FORWARD, "Herald"), (BACKWARD, "Courier"), timeout=60)
    finally:
        with Session(engine) as s:
            s.exec(sa.text("DROP TRIGGER slow_link ON claimlink"))
            s.exec(sa.text("DROP FUNCTION slow_link()"))
            s.commit()
    with Session(engine, expire_on_commit=False) as s:
        found = links_between(s, done["Herald"], done["Courier"])
        assert len(found) >= 2, found
        events = s.exec(select(AuditEvent.object_id).where(AuditEvent.action == "link.suggest",
                                                           AuditEvent.object_type == "claimlink")).all()
        assert len(events) == len(set(events)) == len(found)


def test_a_relink_after_a_restore_writes_nothing_into_the_restored_database(app, session, database_url, monkeypatch,
                                                                            tmp_path):
    """`db restore` runs between an import's commit and its re-link: the claims the import wrote are
    gone, and the restored database's claims under the same ids, and its change log, are others. The
    re-link must leave the restored desk as the backup had it."""
    postgres_only(database_url)
    engine = db.get_engine(app)
    reviewer = make_user(session)
    backup.backup_database(engine, tmp_path / "empty.backup")
    import_text(session, reviewer, HERALD, "Herald")
    articles.import_article(session=session, actor=reviewer, source=articles.ArticleSource(text=COURIER),
                            outlet="Courier", settings=links.MatchSettings(suggest=101))  # left them unlinked
    assert session.exec(select(ClaimLink)).all() == []
    backup.backup_database(engine, tmp_path / "both.backup")
    session.rollback()
    backup.restore_database(engine, tmp_path / "empty.backup", force=True)
    real = links.link_missed

    def restore_first(**kw):
        kw["session"].rollback()  # end the read: PostgreSQL's restore drops these tables
        backup.restore_database(engine, tmp_path / "both.backup", force=True)
        return real(**kw)
    monkeypatch.setattr(links, "link_missed", restore_first)
    import_text(session, reviewer, HERALD, "Herald (again)")  # its claims take the ids of the backup's Herald
    monkeypatch.undo()
    session.rollback()
    assert session.exec(select(ClaimLink)).all() == []
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "link.suggest")).all() == []


def test_a_relink_that_fails_for_good_leaves_the_saved_import_standing(session, database_url, monkeypatch, caplog):
    """The re-link runs after the import committed: an error there is logged, not raised, since an
    error page would tell the reviewer that an article already on the desk was not imported."""
    postgres_only(database_url)
    reviewer = make_user(session)
    second = courier_during_first_match(monkeypatch, session, reviewer)

    def lost_connection(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
    monkeypatch.setattr(links, "_link_missed_once", lost_connection)
    with caplog.at_level("WARNING", logger="factcheck.links"):
        first = import_text(session, reviewer, HERALD, "Herald")
    monkeypatch.undo()
    assert session.get(Article, first.id) is not None
    assert "linking them to claims saved at the same moment failed" in caplog.text
    assert links_between(session, first.id, second[0]) == []   # what the failed re-link would have made
