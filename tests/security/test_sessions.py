"""Sessions: a new one at login, logout by POST that really ends it, idle and absolute limits, cookie flags."""
from __future__ import annotations

import time

import pytest
from sqlmodel import select

from factcheck import create_app
from factcheck.models import Role, User
from tests.conftest import token_in


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_starts_a_new_session_and_drops_whatever_was_in_the_old_one(client, auth):
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker before login"
    before = session_cookie(client)
    auth.login(Role.REVIEWER)
    assert session_cookie(client) != before
    with client.session_transaction() as s:
        assert "planted" not in s and s["_user_id"]
        assert isinstance(s["login_at"], int) and isinstance(s["seen_at"], int)


def test_logout_is_post_only(client, auth):
    auth.login(Role.REVIEWER)
    assert client.get("/logout").status_code == 405
    assert client.get("/claims/").status_code == 200


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, auth):
    auth.login(Role.REVIEWER)
    stolen = session_cookie(client)
    assert auth.logout().status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/claims/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_idle_session_expires_after_the_configured_minutes(client, auth):
    auth.login(Role.REVIEWER)
    with client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - 29 * 60
    assert client.get("/claims/").status_code == 200  # 29 idle minutes: still fine, and the clock restarts
    with client.session_transaction() as s:
        assert s["seen_at"] >= int(time.time()) - 5
        s["seen_at"] = int(time.time()) - 31 * 60
    response = client.get("/claims/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Your session has expired" in client.get("/login").get_data(as_text=True)
    assert client.get("/claims/").status_code == 302


def test_a_busy_session_still_ends_at_the_absolute_limit(client, auth):
    auth.login(Role.REVIEWER)
    with client.session_transaction() as s:
        s["login_at"] = int(time.time()) - 11 * 3600
    assert client.get("/claims/").status_code == 200
    with client.session_transaction() as s:
        s["login_at"] = int(time.time()) - 12 * 3600 - 60
    assert client.get("/claims/").status_code == 302


def test_a_session_without_timestamps_is_not_accepted(client, auth):
    auth.login(Role.REVIEWER)
    with client.session_transaction() as s:
        del s["login_at"]
    assert client.get("/claims/").status_code == 302


def test_the_limits_follow_configuration(app, client, auth):
    app.config.update(SESSION_IDLE_MINUTES=5)
    auth.login(Role.REVIEWER)
    with client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - 6 * 60
    assert client.get("/claims/").status_code == 302


def test_deactivating_a_user_ends_their_session_at_the_next_request(app, client, auth, session):
    reviewer = auth.login(Role.REVIEWER, "rhea")
    assert client.get("/claims/").status_code == 200
    admin_client = app.test_client()
    admin = auth.user(Role.ADMIN, "boss")
    page = admin_client.get("/login")
    admin_client.post("/login", data={"username": admin.username, "password": "correct horse battery staple",
                                      "csrf_token": token_in(page.get_data(as_text=True))})
    token = token_in(admin_client.get("/admin/").get_data(as_text=True))
    response = admin_client.post(f"/admin/users/{reviewer.id}", data={"role": "reviewer", "csrf_token": token})
    assert response.status_code == 302
    session.commit()  # a fresh read snapshot
    session.expire_all()
    assert session.get(User, reviewer.id).active is False
    response = client.get("/claims/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_change_ends_other_sessions(client, auth, session):
    from factcheck import users
    reviewer = auth.login(Role.REVIEWER, "rhea")
    users.set_password(session=session, actor=reviewer, user=session.get(User, reviewer.id),
                       password="a brand new passphrase 42")
    assert client.get("/claims/").status_code == 302


@pytest.mark.parametrize("password,message", [
    ("short", "at least 12"), ("password1234", "too common"), ("aaaaaaaaaaaaaaa", "too common or too simple"),
    ("newbie-newbie-2024", "must not contain the username"), ("x" * 257, "longer than 256")])
def test_password_rules_hold_when_an_admin_creates_a_user(app, client, auth, session, password, message):
    auth.login(Role.ADMIN)
    response = auth.post("/admin/users", {"username": "newbie", "password": password, "role": "reviewer"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert session.exec(select(User).where(User.username == "newbie")).first() is None


def test_session_cookie_flags(client, auth):
    auth.login(Role.REVIEWER)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_session_cookie_is_secure_when_configured(database_url, tmp_path, monkeypatch, session):
    from tests.factories import make_user
    monkeypatch.setenv("FACTCHECK_SESSION_COOKIE_SECURE", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 32,
                      "INDEX_DIR": str(tmp_path / "i")})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    user = make_user(session, Role.REVIEWER, username="sec")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                           data={"username": user.username, "password": "correct horse battery staple",
                                 "csrf_token": token_in(page.get_data(as_text=True))})
    assert response.status_code == 302
    set_cookie = response.headers.get("Set-Cookie")
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
