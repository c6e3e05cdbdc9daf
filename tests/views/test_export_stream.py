"""The claim CSV is streamed: the stream must give its database connection back when it ends,
not whenever the garbage collector finds the session."""
import csv
import gc
import io

from factcheck import db
from factcheck.models import Role
from tests.factories import make_article, make_claim


def test_a_streamed_export_returns_its_connection(app, client, auth, session):
    article = make_article(session)
    for n in range(3):
        make_claim(session, article, text=f"Claim {n} about the harbour bridge.")
    session.commit()
    session.close()
    auth.login(Role.EDITOR)
    engine = db.get_engine(app)
    gc.collect()
    gc.disable()                      # a connection must come back without the collector's help
    try:
        before = engine.pool.checkedout()
        response = client.get("/export/claims.csv")
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        response.close()
        assert len(rows) == 4
        assert engine.pool.checkedout() == before
    finally:
        gc.enable()
