"""Every API endpoint x role: the designed outcome, and no change at all when refused."""
from __future__ import annotations

import pytest
from sqlmodel import func, select

from factcheck.models import AuditEvent, ClaimStatus, Verdict
from tests.api.conftest import ADMIN, ANON, EDITOR, REVIEWER, ROLES, error_code
from tests.factories import make_article, make_claim, rating

ALL_OK = {ANON: 401, REVIEWER: 200, EDITOR: 200, ADMIN: 200}
EDITORS_OK = {ANON: 401, REVIEWER: 403, EDITOR: 200, ADMIN: 200}
RATIONALE = "The council's published accounts show a different figure."


@pytest.fixture
def world(session, api):
    proposer, researcher = api.user(REVIEWER, "proposer"), api.user(REVIEWER, "researcher")
    new = make_claim(session, make_article(session, text="The mayor said the bridge cost $2.6 million."))
    research = make_claim(session, make_article(session, text="Unemployment fell to 4.1 percent in March."),
                          status=ClaimStatus.IN_RESEARCH, assignee=researcher)
    proposed = make_claim(session, make_article(session, text="Crime doubled in the city since 2019."),
                          status=ClaimStatus.VERDICT_PROPOSED, assignee=proposer)
    session.add(Verdict(claim_id=proposed.id, rating_id=rating(session).id, rationale=RATIONALE, given_by_id=proposer.id))
    session.commit()
    return {"new": new.id, "research": research.id, "proposed": proposed.id}


# (endpoint, variant) -> (method, path, body(world, caller username), outcome per role)
MATRIX = {
    ("list_claims", ""): ("GET", lambda w: "/claims", None, ALL_OK),
    ("get_claim", ""): ("GET", lambda w: f"/claims/{w['new']}", None, ALL_OK),
    ("import_article", ""): ("POST", lambda w: "/articles",
                       lambda w, me: {"text": "The minister said exports grew by 12 percent last year.",
                                      "title": "Exports", "outlet": "Daily"},
                       {ANON: 401, REVIEWER: 201, EDITOR: 201, ADMIN: 201}),
    ("change_status", "any"): ("POST", lambda w: f"/claims/{w['new']}/status", lambda w, me: {"status": "triaged"}, ALL_OK),
    ("change_status", "editor move"): ("POST", lambda w: f"/claims/{w['research']}/status",
                                  lambda w, me: {"status": "triaged"}, EDITORS_OK),
    ("assign_claim", "self"): ("POST", lambda w: f"/claims/{w['new']}/assign", lambda w, me: {"user": me}, ALL_OK),
    ("assign_claim", "other"): ("POST", lambda w: f"/claims/{w['new']}/assign", lambda w, me: {"user": "researcher"}, EDITORS_OK),
    ("add_evidence", ""): ("POST", lambda w: f"/claims/{w['research']}/evidence",
                     lambda w, me: {"url": "https://stats.example/march", "stance": "supports", "quote": "4.1%"},
                     {ANON: 401, REVIEWER: 403, EDITOR: 201, ADMIN: 201}),
    ("propose_verdict", ""): ("POST", lambda w: f"/claims/{w['research']}/verdict",
                        lambda w, me: {"rating": "True", "rationale": RATIONALE},
                        {ANON: 401, REVIEWER: 403, EDITOR: 201, ADMIN: 201}),
    ("sign_off", ""): ("POST", lambda w: f"/claims/{w['proposed']}/verdict/sign-off", None, EDITORS_OK),
    ("send_back", ""): ("POST", lambda w: f"/claims/{w['proposed']}/verdict/send-back",
                  lambda w, me: {"reason": "Find the 2019 baseline."}, EDITORS_OK),
    ("search_claims", ""): ("GET", lambda w: "/search?q=bridge", None, ALL_OK),
    ("search_priors", ""): ("GET", lambda w: "/priors?q=bridge", None, ALL_OK),
    ("openapi", ""): ("GET", lambda w: "/openapi.json", None, ALL_OK),
}
CASES = [(key, role) for key in MATRIX for role in ROLES]


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


@pytest.mark.parametrize("key,role", CASES, ids=[f"{e}-{v}-{r}".replace("--", "-") for (e, v), r in CASES])
def test_endpoint_by_role(api, session, world, key, role):
    method, path, body, outcome = MATRIX[key]
    me = api.user(role).username if role != ANON else None
    if role != ANON:
        api.token_for(role)
    before = audit_count(session)
    if method == "GET":
        response = api.get(path(world), as_=role)
    else:
        response = api.post(path(world), body(world, me) if body else None, as_=role)
    assert response.status_code == outcome[role], response.get_json()
    session.rollback()  # end the test's read snapshot so that it sees what the request committed
    after = audit_count(session)
    if response.status_code >= 400:
        # 403 is "forbidden" when the role is refused, "not_allowed" when the domain refuses this person
        assert error_code(response) in {401: {"unauthorized"}, 403: {"forbidden", "not_allowed"}}[response.status_code]
        assert after == before
    elif method == "POST":
        last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert after > before and last.actor_id == api.user(role).id


def test_matrix_covers_every_api_route(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert endpoints == {f"api.{endpoint}" for endpoint, _variant in MATRIX}
