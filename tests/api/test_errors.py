"""Bad input is a 4xx with {"error": {"code", "message"}}, never a 500 and never an HTML page."""
from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from factcheck.models import AuditEvent, ClaimStatus
from tests.api.conftest import EDITOR, PREFIX, error_code
from tests.factories import make_claim


@pytest.fixture
def claim(session, api):
    api.token_for(EDITOR)  # made before counting audit rows
    return make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=api.user(EDITOR))


POSTS = ["/articles", "/claims/{id}/status", "/claims/{id}/assign", "/claims/{id}/evidence", "/claims/{id}/verdict",
         "/claims/{id}/verdict/send-back"]
BAD_JSON = [b"{", b"[1, 2", b"\xff\xfe{}", b"{'single': 'quotes'}", b"", b"nul\x00l", b"[" * 100_000 + b"]" * 100_000]
NOT_OBJECTS = [[], "text", 5, None, True]
WRONG_TYPES = [{"status": 5}, {"status": ["triaged"]}, {"user": 7}, {"url": None, "stance": "supports"},
               {"rating": 1.5, "rationale": "x" * 20}, {"rating": True, "rationale": "x" * 20},
               {"version": "1", "status": "triaged"}, {"version": 2**63, "status": "triaged"},
               {"version": -5, "status": "triaged"}, {"reason": {"a": 1}}, {"text": 12}, {"html": False},
               {"published_at": "yesterday", "text": "x"}, {"status": "triaged\u0000"}, {"status": "\ud800"},
               {"text": "x" * 10, "title": "t" * 501}, {"unexpected": "field"}]


def audit_rows(session) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


@pytest.mark.parametrize("path", POSTS)
def test_malformed_json_is_400(api, session, claim, path):
    before = audit_rows(session)
    for raw in BAD_JSON:
        response = api.post(path.format(id=claim.id), as_=EDITOR, data=raw, content_type="application/json")
        assert response.status_code == 400, raw[:20]
    assert audit_rows(session) == before


@pytest.mark.parametrize("path", POSTS)
def test_wrong_shapes_and_types_are_400(api, session, claim, path):
    before = audit_rows(session)
    for body in NOT_OBJECTS + WRONG_TYPES:
        response = api.post(path.format(id=claim.id), as_=EDITOR, data=json.dumps(body),
                            content_type="application/json")
        assert response.status_code == 400, (body, response.get_json())
        assert error_code(response) in {"invalid_input", "bad_request"}
    assert audit_rows(session) == before


@pytest.mark.parametrize("path", POSTS)
def test_form_posts_are_415(api, claim, path):
    response = api.post(path.format(id=claim.id), as_=EDITOR, data={"status": "triaged"})
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"
    text = api.post(path.format(id=claim.id), as_=EDITOR, data='{"status": "triaged"}', content_type="text/plain")
    assert text.status_code == 415


def test_too_large_body_is_413(api, app, session):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    api.token_for("reviewer")
    response = api.post("/articles", {"text": "The mayor said so. " * 1000})
    assert response.status_code == 413 and error_code(response) == "request_entity_too_large"
    assert audit_rows(session) == 2  # the user and the token, nothing from the request


def test_sign_off_refuses_a_body_it_does_not_expect(api, session):
    claim = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED)
    response = api.post(f"/claims/{claim.id}/verdict/sign-off", {"force": True}, as_=EDITOR)
    assert response.status_code == 400 and "force" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("query", [
    "/claims?status=bogus", "/claims?limit=0", "/claims?limit=201", "/claims?limit=ten", "/claims?article=-1",
    "/claims?article=99999999999999999999", "/claims?mine=perhaps", "/claims?cursor=garbage",
    "/claims?cursor=%00", "/claims?stauts=new", "/claims?speaker=%00", "/search?page=0", "/search?date_from=2024-13-01",
    "/search?status=nope", "/search?limit=101", "/search?q=" + "x" * 1001, "/priors", "/priors?q=", "/priors?limit=51",
])
def test_bad_query_parameters_are_400(api, query):
    response = api.get(query)
    assert response.status_code == 400, response.get_json()


@pytest.mark.parametrize("method,path,status,code", [
    ("GET", "/nowhere", 404, "not_found"), ("POST", "/claims", 405, "method_not_allowed"),
    ("GET", "/claims/1/status", 405, "method_not_allowed"), ("GET", "/claims/abc", 404, "not_found"),
    ("DELETE", "/claims/1", 405, "method_not_allowed"),
])
def test_unknown_routes_and_methods_answer_in_json(client, auth, method, path, status, code):
    auth.login(EDITOR)
    response = client.open(PREFIX + path, method=method)
    assert response.status_code == status and response.is_json and error_code(response) == code
    if status == 405:
        assert "Allow" in response.headers


def test_html_pages_keep_their_html_errors(client, auth):
    auth.login(EDITOR)
    response = client.get("/claims/999999")
    assert response.status_code == 404 and not response.is_json
