"""Two people saving the same thing at the same moment: one save wins, the other gets a 409 with a
reason (never a 500), and the next request works. On PostgreSQL only: SQLite takes its write lock
when a write transaction begins, so the check before a save and the save cannot be overtaken there."""
import pytest
import sqlalchemy as sa

from factcheck import db
from factcheck.models import ClaimLink, Role
from tests.factories import make_article, make_claim


@pytest.fixture
def overtaken(app, database_url):
    """Just before this request inserts a link, another connection commits the same pair."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the check and the insert cannot be overtaken")
    engine = db.get_engine(app)
    other = sa.create_engine(database_url)
    fired = []

    def insert_first(conn, cursor, statement, params, context, many):
        if statement.startswith("INSERT INTO claimlink") and not fired:
            fired.append(True)
            a, b = (params["claim_a_id"], params["claim_b_id"]) if isinstance(params, dict) else params[:2]
            with other.begin() as c:
                c.execute(sa.insert(ClaimLink.__table__).values(claim_a_id=a, claim_b_id=b, score=90, state="confirmed",
                                                                 flags_json="[]", kind="duplicate"))
    sa.event.listen(engine, "before_cursor_execute", insert_first)
    yield fired
    sa.event.remove(engine, "before_cursor_execute", insert_first)
    other.dispose()


def test_a_link_made_twice_at_once_is_a_409_and_the_page_still_works(session, auth, overtaken):
    a = make_claim(session, make_article(session), text="The ferry service ends in May.")
    b = make_claim(session, make_article(session), text="The ferry service will end in May.")
    auth.login(Role.REVIEWER)
    answer = auth.post(f"/claims/{a.id}/links", {"other": b.id})
    assert overtaken and answer.status_code == 409
    assert "at the same moment" in answer.get_data(as_text=True)
    assert auth.client.get(f"/claims/{a.id}").status_code == 200   # the session was put back in order
