"""Who gets in: Bearer tokens, cookie sessions with CSRF, and JSON 401s instead of login redirects."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from factcheck import tokens
from factcheck.models import ApiToken, AuditEvent, ClaimStatus, Role, utcnow
from tests.api.conftest import PREFIX, error_code
from tests.factories import make_claim, make_user


@pytest.fixture
def claim(session):
    return make_claim(session, status=ClaimStatus.NEW)


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def test_valid_token_authenticates_as_its_owner(client, session, claim):
    user = make_user(session, Role.REVIEWER, username="tool-owner")
    _token, raw = tokens.create_token(session=session, actor=user, name="t")
    response = client.post(f"{PREFIX}/claims/{claim.id}/status", json={"status": "triaged"}, headers=bearer(raw))
    assert response.status_code == 200, response.get_json()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "claim.status")).one()
    assert event.actor_id == user.id
    assert "Set-Cookie" not in response.headers  # token requests open no session


@pytest.mark.parametrize("state", ["revoked", "expired", "wrong", "malformed", "inactive", "empty", "basic"])
def test_unusable_credentials_get_json_401(client, session, claim, state):
    user = make_user(session, Role.EDITOR)
    token, raw = tokens.create_token(session=session, actor=user, name="t", expires_days=1)
    header = bearer(raw)
    if state == "revoked":
        tokens.revoke_token(session=session, actor=user, token=token)
    elif state == "expired":
        token.expires_at = utcnow() - timedelta(minutes=1)
    elif state == "wrong":
        header = bearer("fc_" + "x" * 43)
    elif state == "malformed":
        header = bearer("Ω" * 10 + " " + raw)
    elif state == "inactive":
        user.active = False
    elif state == "empty":
        header = {"Authorization": "Bearer "}
    elif state == "basic":
        header = {"Authorization": "Basic dXNlcjpwYXNz"}
    session.add_all([token, user])
    session.commit()
    for response in (client.get(f"{PREFIX}/claims", headers=header),
                     client.post(f"{PREFIX}/claims/{claim.id}/status", json={"status": "triaged"}, headers=header)):
        assert response.status_code == 401 and response.is_json
        assert error_code(response) == "unauthorized"
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    session.expire_all()
    assert claim.status == ClaimStatus.NEW


def test_anonymous_api_request_is_401_json_not_a_redirect(client):
    response = client.get(f"{PREFIX}/claims/1")
    assert response.status_code == 401 and response.is_json and "Location" not in response.headers


def test_a_bad_token_is_not_rescued_by_a_login_cookie(client, auth):
    auth.login(Role.EDITOR)
    assert client.get(f"{PREFIX}/claims").status_code == 200
    assert client.get(f"{PREFIX}/claims", headers=bearer("fc_" + "y" * 43)).status_code == 401


def test_tokens_do_not_open_the_html_pages(client, session):
    user = make_user(session, Role.ADMIN)
    _token, raw = tokens.create_token(session=session, actor=user, name="t")
    response = client.get("/admin/", headers=bearer(raw))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_bearer_post_needs_no_csrf_token(client, session, claim):
    user = make_user(session, Role.EDITOR)
    _token, raw = tokens.create_token(session=session, actor=user, name="t")
    response = client.post(f"{PREFIX}/claims/{claim.id}/assign", json={"user": user.username}, headers=bearer(raw))
    assert response.status_code == 200 and response.get_json()["assignee"] == user.username


def test_cookie_post_without_csrf_header_is_refused(client, auth, session, claim):
    auth.login(Role.EDITOR)
    response = client.post(f"{PREFIX}/claims/{claim.id}/status", json={"status": "triaged"})
    assert response.status_code == 400 and error_code(response) == "csrf_failed"
    forged = client.post(f"{PREFIX}/claims/{claim.id}/status", json={"status": "triaged"},
                         headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400 and error_code(forged) == "csrf_failed"
    session.expire_all()
    assert claim.status == ClaimStatus.NEW


def test_cookie_post_with_csrf_header_works(client, auth, session, claim):
    auth.login(Role.EDITOR)
    response = client.post(f"{PREFIX}/claims/{claim.id}/status", json={"status": "triaged"},
                           headers={"X-CSRFToken": auth.csrf()})
    assert response.status_code == 200, response.get_json()
    session.expire_all()
    assert claim.status == ClaimStatus.TRIAGED


def test_cookie_get_needs_no_csrf(client, auth, claim):
    auth.login(Role.REVIEWER)
    response = client.get(f"{PREFIX}/claims/{claim.id}")
    assert response.status_code == 200 and response.get_json()["id"] == claim.id


def test_token_use_is_recorded(client, session):
    user = make_user(session, Role.REVIEWER)
    token, raw = tokens.create_token(session=session, actor=user, name="t")
    assert client.get(f"{PREFIX}/claims", headers=bearer(raw)).status_code == 200
    session.expire_all()
    assert session.get(ApiToken, token.id).last_used_at is not None
