import json, time
from factcheck import priors
from factcheck.models import Claim, Role
from factcheck.claim_index import note_change
from tests.factories import make_article, make_user

def test_perf(session):
    art = make_article(session)
    for i in range(500):
        c = Claim(article_id=art.id, text=f"The council spent {i} million dollars on road number {i*7} in district {i%13}.")
        session.add(c); session.flush(); note_change(session, c.id)
    session.commit()
    feed = {"@type": "DataFeed", "dataFeedElement": [
        {"@type": "ClaimReview", "url": f"https://x.example/{i}", "author": {"name": "X"},
         "claimReviewed": f"Officials said {i} million was spent on road {i*7} in district {i%13}.",
         "reviewRating": {"alternateName": "False"}, "datePublished": "2026-01-02"} for i in range(2000)]}
    data = json.dumps(feed).encode()
    ed = make_user(session, Role.EDITOR)
    t = time.perf_counter()
    r = priors.import_priors(session=session, actor=ed, data=data, source="perf.json")
    print("\nIMPORT 2000 priors vs 500 claims: %.2fs, links %d, bytes %d" % (time.perf_counter() - t, r.links, len(data)))
