"""Tokens: hashing, one-time display, expiry, revocation, last use; the tokens page and the CLI."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from factcheck import tokens
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.models import ApiToken, AuditEvent, Role, utcnow
from tests.factories import make_user

TOKEN_IN_PAGE = re.compile(r'<code id="new-token">([^<]+)</code>')


def test_a_live_name_is_not_reused_so_a_reloaded_form_mints_nothing(session):
    user = make_user(session, Role.REVIEWER)
    first, _raw = tokens.create_token(session=session, actor=user, name="Sheet sync")
    with pytest.raises(InvalidInput, match="already have a live token"):
        tokens.create_token(session=session, actor=user, name="sheet  SYNC")
    assert len(tokens.tokens_of(session, user)) == 1
    tokens.revoke_token(session=session, actor=user, token=first)
    tokens.create_token(session=session, actor=user, name="Sheet sync")  # free again once revoked
    assert len(tokens.tokens_of(session, user)) == 2


def test_the_system_makes_a_token_for_a_named_member_only(session):
    """The CLI acts as the system (no actor) on a desk that has no admin yet."""
    user = make_user(session, Role.EDITOR)
    token, raw = tokens.create_token(session=session, actor=None, user=user, name="cli")
    assert token.user_id == user.id and raw.startswith(token.prefix)
    with pytest.raises(InvalidInput, match="Name the desk member"):
        tokens.create_token(session=session, actor=None, name="cli")


def test_token_is_prefixed_random_and_stored_only_as_sha256(session):
    user = make_user(session, Role.REVIEWER)
    token, raw = tokens.create_token(session=session, actor=user, name="sheet sync")
    other, raw2 = tokens.create_token(session=session, actor=user, name="sheet sync 2")
    assert raw.startswith("fc_") and len(raw) >= 40 and raw != raw2
    stored = session.get(ApiToken, token.id)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in (stored.token_hash, stored.prefix) and raw.startswith(stored.prefix)
    assert stored.user_id == user.id and stored.expires_at is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "token.create",
                                                  AuditEvent.object_id == token.id)).one()
    assert raw not in event.changes_json


def test_authenticate_accepts_live_tokens_only(session):
    user = make_user(session, Role.EDITOR)
    token, raw = tokens.create_token(session=session, actor=user, name="t", expires_days=3)
    found = tokens.authenticate_token(session=session, raw=raw)
    assert found is not None and found[0].id == token.id and found[1].id == user.id
    assert tokens.authenticate_token(session=session, raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert tokens.authenticate_token(session=session, raw="not-a-token") is None
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.add(token)
    session.commit()
    assert tokens.authenticate_token(session=session, raw=raw) is None


def test_last_used_is_noted_without_a_write_per_request(session):
    user = make_user(session, Role.REVIEWER)
    token, raw = tokens.create_token(session=session, actor=user, name="t")
    assert token.last_used_at is None
    tokens.authenticate_token(session=session, raw=raw)
    first = session.get(ApiToken, token.id).last_used_at
    assert first is not None
    tokens.authenticate_token(session=session, raw=raw)
    assert session.get(ApiToken, token.id).last_used_at == first
    token.last_used_at = first - timedelta(minutes=5)
    session.add(token)
    session.commit()
    tokens.authenticate_token(session=session, raw=raw)
    assert session.get(ApiToken, token.id).last_used_at > first - timedelta(minutes=5)


def test_revoked_token_and_inactive_owner_are_refused(session):
    user = make_user(session, Role.REVIEWER)
    token, raw = tokens.create_token(session=session, actor=user, name="t")
    _t2, raw2 = tokens.create_token(session=session, actor=user, name="t2")
    tokens.revoke_token(session=session, actor=user, token=token)
    assert tokens.authenticate_token(session=session, raw=raw) is None
    assert tokens.authenticate_token(session=session, raw=raw2) is not None
    user.active = False
    session.add(user)
    session.commit()
    assert tokens.authenticate_token(session=session, raw=raw2) is None


def test_only_owner_or_admin_manage_a_token(session):
    owner, other = make_user(session, Role.EDITOR), make_user(session, Role.EDITOR)
    admin = make_user(session, Role.ADMIN)
    token, _raw = tokens.create_token(session=session, actor=owner, name="t")
    with pytest.raises(NotAllowed):
        tokens.revoke_token(session=session, actor=other, token=token)
    with pytest.raises(NotAllowed):
        tokens.create_token(session=session, actor=other, user=owner, name="t")
    tokens.revoke_token(session=session, actor=admin, token=token)
    assert session.get(ApiToken, token.id).revoked_at is not None
    made, _raw = tokens.create_token(session=session, actor=admin, user=owner, name="for owner")
    assert made.user_id == owner.id


@pytest.mark.parametrize("name,days", [("", None), ("x" * 101, None), ("ok", 0), ("ok", 3651)])
def test_bad_token_requests_are_refused(session, name, days):
    user = make_user(session, Role.REVIEWER)
    with pytest.raises(InvalidInput):
        tokens.create_token(session=session, actor=user, name=name, expires_days=days)
    assert session.exec(select(ApiToken)).first() is None


# The page

def test_page_shows_new_token_once_and_it_works(client, auth, session):
    user = auth.login(Role.REVIEWER)
    page = client.get("/tokens/")
    assert page.status_code == 200 and 'id="no-tokens"' in page.get_data(as_text=True)
    created = auth.post("/tokens/", {"name": "newsroom bot", "expires_days": "30"})
    assert created.status_code == 201
    raw = TOKEN_IN_PAGE.search(created.get_data(as_text=True)).group(1)
    assert raw.startswith("fc_")
    token = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "newsroom bot" and token.expires_at is not None
    again = client.get("/tokens/").get_data(as_text=True)
    assert raw not in again and token.prefix in again and "newsroom bot" in again
    with client.session_transaction() as cookie_session:
        assert raw not in repr(dict(cookie_session))  # never parked in the cookie (e.g. as a flash)
    anon = client.application.test_client()
    assert anon.get("/api/v1/claims", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_page_lists_only_own_tokens_and_revokes(client, auth, session):
    other = make_user(session, Role.EDITOR, username="someone")
    tokens.create_token(session=session, actor=other, name="not yours")
    user = auth.login(Role.REVIEWER)
    mine, raw = tokens.create_token(session=session, actor=user, name="mine")
    page = client.get("/tokens/").get_data(as_text=True)
    assert "mine" in page and "not yours" not in page
    response = auth.post(f"/tokens/{mine.id}/revoke")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ApiToken, mine.id).revoked_at is not None
    assert "revoked" in client.get("/tokens/").get_data(as_text=True)
    assert client.application.test_client().get(
        "/api/v1/claims", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_page_refuses_revoking_someone_elses_token(client, auth, session):
    other = make_user(session, Role.EDITOR, username="someone")
    theirs, _raw = tokens.create_token(session=session, actor=other, name="theirs")
    auth.login(Role.REVIEWER)
    assert auth.post(f"/tokens/{theirs.id}/revoke").status_code == 403
    session.expire_all()
    assert session.get(ApiToken, theirs.id).revoked_at is None


def test_page_form_errors_are_400(client, auth, session):
    auth.login(Role.REVIEWER)
    assert auth.post("/tokens/", {"name": "", "expires_days": ""}).status_code == 400
    assert auth.post("/tokens/", {"name": "x", "expires_days": "-3"}).status_code == 400
    assert session.exec(select(ApiToken)).first() is None


@pytest.mark.parametrize("days", ["0", "abc", "99999"])
def test_a_bad_expiry_comes_back_on_the_page_beside_its_field(client, auth, session, days):
    auth.login(Role.REVIEWER)
    response = auth.post("/tokens/", {"name": "x", "expires_days": days})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<h1>API tokens</h1>" in html and "<title>Error: API tokens" in html
    assert re.search(r'<input[^>]*id="name"[^>]*value="x"', html)
    field = re.search(r'<input[^>]*id="expires_days"[^>]*>', html).group(0)
    assert f'value="{days}"' in field and 'aria-invalid="true"' in field and 'aria-describedby="expires_days-error"' in field
    assert ('id="expires_days-error">Expiry is a whole number of days from 1 to 3650, or empty for never.</p>'
            in html)
    assert session.exec(select(ApiToken)).first() is None


def test_a_name_already_in_use_comes_back_beside_the_name(client, auth, session):
    user = auth.login(Role.REVIEWER)
    tokens.create_token(session=session, actor=user, name="sheet")
    response = auth.post("/tokens/", {"name": "Sheet", "expires_days": "7"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="name-error">You already have a live token named “Sheet”' in html
    assert 'value="7"' in re.search(r'<input[^>]*id="expires_days"[^>]*>', html).group(0)


def test_nav_links_to_the_tokens_page(client, auth):
    auth.login(Role.REVIEWER)
    assert 'id="nav-tokens" href="/tokens/"' in client.get("/claims/").get_data(as_text=True)


# The CLI

def test_cli_prints_the_token_alone_on_its_last_line(runner, session, client):
    make_user(session, Role.ADMIN, username="boss")
    user = make_user(session, Role.REVIEWER, username="ana")
    result = runner.invoke(args=["users", "token", "ana", "--expires", "7", "--name", "sheet"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"fc_[A-Za-z0-9_-]{40,}", raw)
    token = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "sheet" and token.expires_at is not None
    assert timedelta(days=6) < token.expires_at - utcnow() <= timedelta(days=7)
    response = client.get("/api/v1/claims", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_cli_names_an_unknown_user(runner, session):
    make_user(session, Role.ADMIN, username="boss")
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code != 0 and "nobody" in result.output
    assert session.exec(select(ApiToken)).first() is None
