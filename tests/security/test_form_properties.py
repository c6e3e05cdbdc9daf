"""Property tests: random text or bytes in every field of the main POST routes never make a 500."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.models import ClaimLink, ClaimStatus, Evidence, Role, Stance, Verdict
from tests.factories import make_article, make_claim, rating

# Text of every kind (controls, NUL, combining marks, RTL, astral) and raw bytes that need not be UTF-8.
TEXT = st.one_of(st.text(max_size=300), st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "1e309", "nan",
                                                          "y", "on", "2024-02-30", "' OR 1=1 --", "%", "\\", "\x00"]))
BYTES = st.binary(max_size=200)
VALUE = st.one_of(TEXT, BYTES)

ROUTES = {
    "/login": ["username", "password"],
    "/articles/import": ["title", "outlet", "url", "author", "published_at", "text", "fetch"],
    "/articles/{article}/claims": ["text", "speaker"],
    "/claims/{claim}/edit": ["text", "speaker", "version"],
    "/claims/{claim}/status": ["status", "reason", "version"],
    "/claims/{claim}/assign": ["assignee", "version"],
    "/claims/{claim}/worthiness": ["worthy"],
    "/claims/{claim}/split": ["parts"],
    "/claims/{claim}/merge": ["others"],
    "/claims/{claim}/links": ["other"],
    "/claims/{claim}/links/{link}": ["decision"],
    "/claims/{claim}/evidence": ["url", "quote", "stance", "note"],
    "/claims/{claim}/evidence/{evidence}/delete": [],
    "/claims/{claim}/verdict": ["rating", "rationale", "version"],
    "/claims/{claim}/verdict/{verdict}/send-back": ["reason"],
    "/claims/{claim}/verdict/reuse": ["verdict_id"],
    "/claims/bulk": ["claim_ids", "action", "assignee", "status"],
    "/admin/users": ["username", "password", "role"],
    "/admin/users/{user}": ["role", "active"],
    "/admin/ratings": ["name", "value", "description", "active"],
}
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def world(session, browser):
    admin = browser(Role.ADMIN, "root")
    article = make_article(session, text="The bridge cost $2.6 million, the mayor said. Crime fell 20 percent.")
    claim = make_claim(session, article, text="The bridge cost $2.6 million", status=ClaimStatus.IN_RESEARCH,
                       assignee=admin.user)
    other = make_claim(session, article, text="Crime fell 20 percent.")
    link = ClaimLink(claim_a_id=claim.id, claim_b_id=other.id, score=80)
    evidence = Evidence(claim_id=claim.id, url="https://a.example/", stance=Stance.CONTEXT, added_by_id=admin.user.id)
    verdict = Verdict(claim_id=claim.id, rating_id=rating(session).id, rationale="Because.", given_by_id=admin.user.id)
    session.add_all([link, evidence, verdict])
    session.commit()
    member = browser(Role.REVIEWER, "member").user
    ids = {"article": article.id, "claim": claim.id, "link": link.id, "evidence": evidence.id, "verdict": verdict.id,
           "user": member.id}
    return admin, ids


def encode(fields: dict, token: str) -> bytes:
    pairs = [("csrf_token", token)] + [(k, v) for k, v in fields.items()]
    return urlencode(pairs).encode("ascii")


@pytest.mark.parametrize("route", list(ROUTES))
def test_random_input_in_every_field_never_causes_a_server_error(world, route):
    admin, ids = world
    names = ROUTES[route]
    url = route.format(**ids)
    token = admin.csrf()

    @SETTINGS
    @given(st.fixed_dictionaries({name: VALUE for name in names}))
    def post_random(fields):
        response = admin.client.post(url, data=encode(fields, token), content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (url, fields, response.get_data(as_text=True)[:300])

    post_random()


@SETTINGS
@given(st.fixed_dictionaries({"q": VALUE, "status": VALUE, "verdict": VALUE, "outlet": VALUE, "speaker": VALUE,
                              "date_from": VALUE, "date_to": VALUE, "page": VALUE}))
def test_random_search_and_export_parameters_never_cause_a_server_error(client, auth, fields):
    if not auth.users:
        auth.login(Role.EDITOR)
    query = urlencode(fields)
    for url in ("/search/", "/export/claims.csv", "/claims/"):
        response = client.get(f"{url}?{query}")
        assert response.status_code < 500, (url, fields)
        response.close()
