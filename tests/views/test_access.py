"""Every route x method x role: who gets in, who is refused. A new route without an entry fails here."""
import pytest

from factcheck import audit, tokens

from factcheck.models import ClaimLink, ClaimStatus, Evidence, PriorFactCheck, RatingAlias, Role, Stance, Verdict
from tests.factories import make_article, make_claim, rating

ANON, REVIEWER, EDITOR, ADMIN = "anonymous", "reviewer", "editor", "admin"
ALL = {REVIEWER, EDITOR, ADMIN}
EDITORS = {EDITOR, ADMIN}

# (endpoint, method, url template) -> roles allowed past the role check
EXPECTED = {
    ("index", "GET", "/"): ALL,
    ("auth.login", "GET", "/login"): {ANON} | ALL,
    ("auth.login", "POST", "/login"): {ANON} | ALL,
    ("auth.logout", "POST", "/logout"): ALL,
    ("articles.index", "GET", "/articles/"): ALL,
    ("articles.import_", "GET", "/articles/import"): ALL,
    ("articles.import_", "POST", "/articles/import"): ALL,
    ("articles.detail", "GET", "/articles/{article}"): ALL,
    ("articles.add_claim", "POST", "/articles/{article}/claims"): ALL,
    ("articles.reextract", "POST", "/articles/{article}/reextract"): EDITORS,
    ("claims.queue", "GET", "/claims/"): ALL,
    ("claims.detail", "GET", "/claims/{claim}"): ALL,
    ("claims.status", "POST", "/claims/{claim}/status"): ALL,
    ("claims.assign", "POST", "/claims/{claim}/assign"): ALL,
    ("claims.edit", "POST", "/claims/{claim}/edit"): ALL,
    ("claims.worthiness", "POST", "/claims/{claim}/worthiness"): ALL,
    ("claims.split", "POST", "/claims/{claim}/split"): ALL,
    ("claims.merge", "POST", "/claims/{claim}/merge"): ALL,
    ("claims.link", "POST", "/claims/{claim}/links"): ALL,
    ("claims.decide_link", "POST", "/claims/{claim}/links/{link}"): ALL,
    ("claims.bulk", "POST", "/claims/bulk"): EDITORS,
    ("reviews.add_evidence", "POST", "/claims/{claim}/evidence"): ALL,
    ("reviews.remove_evidence", "POST", "/claims/{claim}/evidence/{evidence}/delete"): ALL,
    ("reviews.propose", "POST", "/claims/{claim}/verdict"): ALL,
    ("reviews.sign_off", "POST", "/claims/{claim}/verdict/{verdict}/sign-off"): EDITORS,
    ("reviews.send_back", "POST", "/claims/{claim}/verdict/{verdict}/send-back"): EDITORS,
    ("reviews.reuse", "POST", "/claims/{claim}/verdict/reuse"): ALL,
    ("search.index", "GET", "/search/"): ALL,
    ("search.similar", "GET", "/search/similar/{claim}"): ALL,
    ("exports.claims_csv", "GET", "/export/claims.csv"): EDITORS,
    ("exports.claimreview_json", "GET", "/export/claims/{claim}/claimreview.json"): ALL,
    ("exports.claimreview_feed", "GET", "/claimreview.json"): ALL,
    ("priors.index", "GET", "/priors/"): ALL,
    ("priors.import_", "GET", "/priors/import"): EDITORS,
    ("priors.import_", "POST", "/priors/import"): EDITORS,
    ("priors.save_alias", "POST", "/priors/aliases"): {ADMIN},
    ("priors.delete_alias", "POST", "/priors/aliases/{alias}/delete"): {ADMIN},
    ("priors.attach", "POST", "/priors/{prior}/claims/{claim}/evidence"): ALL,
    ("priors.reject", "POST", "/priors/{prior}/claims/{claim}/reject"): ALL,
    ("dashboard.index", "GET", "/dashboard/"): EDITORS,
    ("tokens.index", "GET", "/tokens/"): ALL,
    ("tokens.create", "POST", "/tokens/"): ALL,
    ("tokens.revoke", "POST", "/tokens/{token}/revoke"): ALL,
    ("api.list_claims", "GET", "/api/v1/claims"): ALL,
    ("api.get_claim", "GET", "/api/v1/claims/{claim}"): ALL,
    ("api.import_article", "POST", "/api/v1/articles"): ALL,
    ("api.change_status", "POST", "/api/v1/claims/{claim}/status"): ALL,
    ("api.assign_claim", "POST", "/api/v1/claims/{claim}/assign"): ALL,
    ("api.add_evidence", "POST", "/api/v1/claims/{claim}/evidence"): ALL,
    ("api.propose_verdict", "POST", "/api/v1/claims/{claim}/verdict"): ALL,
    ("api.sign_off", "POST", "/api/v1/claims/{claim}/verdict/sign-off"): EDITORS,
    ("api.send_back", "POST", "/api/v1/claims/{claim}/verdict/send-back"): EDITORS,
    ("api.search_claims", "GET", "/api/v1/search"): ALL,
    ("api.search_priors", "GET", "/api/v1/priors"): ALL,
    ("api.openapi", "GET", "/api/v1/openapi.json"): ALL,
    ("admin.index", "GET", "/admin/"): {ADMIN},
    ("admin.create_user", "POST", "/admin/users"): {ADMIN},
    ("admin.update_user", "POST", "/admin/users/{user}"): {ADMIN},
    ("admin.save_rating", "POST", "/admin/ratings"): {ADMIN},
    ("admin.save_rating", "POST", "/admin/ratings/{rating}"): {ADMIN},
    ("admin.move_rating", "POST", "/admin/ratings/{rating}/move"): {ADMIN},
    ("admin.embed_claims", "POST", "/admin/embeddings"): {ADMIN},
    ("static", "GET", "/static/style.css"): {ANON} | ALL,
}
ROLE_REFUSAL = "Your role does not allow this."


def test_every_route_has_an_entry(app):
    routes = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(e, m) for e, m, _ in EXPECTED}


@pytest.fixture
def world(session, auth):
    owner = auth.user(Role.ADMIN, "root")
    article = make_article(session, text="The bridge cost $2.6 million, the mayor said.")
    claim = make_claim(session, article, status=ClaimStatus.IN_RESEARCH)
    other = make_claim(session, make_article(session), text="The bridge cost 2.6 million dollars.")
    link = ClaimLink(claim_a_id=claim.id, claim_b_id=other.id, score=80)
    evidence = Evidence(claim_id=claim.id, url="https://a.example/", stance=Stance.CONTEXT, added_by_id=owner.id)
    verdict = Verdict(claim_id=claim.id, rating_id=rating(session).id, rationale="Because of the records.",
                      given_by_id=owner.id)
    prior = PriorFactCheck(url="https://other-desk.example/check", publisher="Other desk", claim_text="The bridge cost $2.6M.",
                           rating_text="False")
    alias = RatingAlias(alias="wrong", rating_id=rating(session).id)
    session.add_all([link, evidence, verdict, prior, alias])
    session.commit()
    token, _raw = tokens.create_token(session=session, actor=owner, name="access test")
    return {"article": article, "claim": claim, "link": link, "evidence": evidence, "verdict": verdict,
            "rating": rating(session), "user": owner, "prior": prior, "alias": alias, "token": token}


CASES = [(e, m, u, role) for (e, m, u) in EXPECTED for role in (ANON, REVIEWER, EDITOR, ADMIN)]


@pytest.mark.parametrize("endpoint,method,template,role", CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES])
def test_route_access(client, auth, session, world, endpoint, method, template, role):
    ids = {k: v.id for k, v in world.items()}
    url = template.format(**ids)
    if role != ANON:
        auth.login(role)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": auth.csrf()})
    allowed = role in EXPECTED[(endpoint, method, template)]
    body = response.get_data(as_text=True)
    response.close()
    if allowed:
        assert response.status_code != 401 and "/login" not in response.headers.get("Location", "") or endpoint.startswith("auth.")
        assert ROLE_REFUSAL not in body
        assert response.status_code < 500
    elif role == ANON and url.startswith("/api/"):
        # the JSON API answers anonymous callers with a 401, not a redirect to a login page
        assert response.status_code == 401 and response.is_json and "Location" not in response.headers
    elif role == ANON:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403 and ROLE_REFUSAL in body


@pytest.mark.parametrize("endpoint,method,template", [k for k in EXPECTED if k[1] == "POST" and k[0] != "auth.login"])
def test_post_without_csrf_token_is_refused(client, auth, session, world, endpoint, method, template):
    auth.login(ADMIN)
    ids = {k: v.id for k, v in world.items()}
    history_before = len(audit.history(session, world["claim"].id))
    response = client.post(template.format(**ids), data={"text": "x", "status": "dismissed"})
    if template.startswith("/api/"):
        # a cookie-authenticated API call is refused in JSON; it must send X-CSRFToken
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    else:
        assert response.status_code == 400 and "form expired" in response.get_data(as_text=True)
    assert len(audit.history(session, world["claim"].id)) == history_before
