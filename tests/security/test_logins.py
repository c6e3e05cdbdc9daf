"""Failed logins lock the account (5 in 15 minutes) and the address (20 in 15 minutes), across workers."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select, update

from factcheck import create_app, db, logins
from factcheck.models import LoginAttempt, Role, utcnow
from tests.conftest import token_in
from tests.factories import PASSWORD, make_user

WRONG = "wrong password entirely"


def attempt(client, username, password, address="203.0.113.7"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    return client.post("/login", data={"username": username, "password": password,
                                        "csrf_token": token_in(page.get_data(as_text=True))},
                       environ_base={"REMOTE_ADDR": address})


def test_five_failures_lock_the_account_even_for_the_right_password(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for _ in range(5):
        assert attempt(client, "rita", WRONG).status_code == 401
    locked = attempt(client, "rita", PASSWORD)
    body = locked.get_data(as_text=True)
    assert locked.status_code == 429 and "Too many failed logins; try again in 15 minutes." in body
    assert "_user_id" not in (client.get_cookie("session").value if client.get_cookie("session") else "")
    assert client.get("/claims/").status_code == 302


def test_four_failures_do_not_lock(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for _ in range(4):
        attempt(client, "rita", WRONG)
    assert attempt(client, "rita", PASSWORD).status_code == 302


def test_the_account_lock_holds_from_another_address_and_with_case_variants(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for i in range(5):
        attempt(client, "rita", WRONG, address=f"198.51.100.{i}")
    assert attempt(client, " RITA ", PASSWORD, address="192.0.2.99").status_code == 429


def test_unknown_accounts_lock_the_same_way_so_locks_reveal_nothing(client, session):
    for _ in range(5):
        assert attempt(client, "nobody-here", WRONG).status_code == 401
    assert "try again in 15 minutes" in attempt(client, "nobody-here", WRONG).get_data(as_text=True)


def test_twenty_failures_from_one_address_lock_that_address_for_every_account(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for i in range(20):
        assert attempt(client, f"guess{i}", WRONG, address="203.0.113.50").status_code == 401
    assert attempt(client, "rita", PASSWORD, address="203.0.113.50").status_code == 429
    assert attempt(client, "rita", PASSWORD, address="203.0.113.51").status_code == 302


def test_the_lock_ends_when_the_window_has_passed(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for _ in range(5):
        attempt(client, "rita", WRONG)
    session.exec(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=14)))
    session.commit()
    assert "try again in 1 minute." in attempt(client, "rita", PASSWORD).get_data(as_text=True)
    session.exec(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    session.commit()
    assert attempt(client, "rita", PASSWORD).status_code == 302


def test_a_successful_login_clears_the_accounts_count_but_not_the_addresss(client, session):
    make_user(session, Role.REVIEWER, username="rita")
    for _ in range(4):
        attempt(client, "rita", WRONG)
    assert attempt(client, "rita", PASSWORD).status_code == 302
    assert logins.failures(session, "rita") == 0
    left = session.exec(select(LoginAttempt).where(LoginAttempt.address == "203.0.113.7")).all()
    assert left == []  # the same rows: they were this account's
    for _ in range(4):
        attempt(client, "someone-else", WRONG)
    attempt(client, "rita", PASSWORD)
    session.commit()  # end the test's read snapshot
    assert len(session.exec(select(LoginAttempt).where(LoginAttempt.address == "203.0.113.7")).all()) == 4


def test_the_count_is_shared_by_every_worker_through_the_database(app, session, database_url, tmp_path):
    """A second app on the same database (another gunicorn worker) sees the first one's failures."""
    make_user(session, Role.REVIEWER, username="rita")
    other = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key",
                        "INDEX_DIR": str(tmp_path / "index2")})
    first, second = app.test_client(), other.test_client()
    for client in (first, second, first, second, first):
        assert attempt(client, "rita", WRONG).status_code == 401
    assert attempt(second, "rita", PASSWORD).status_code == 429


@pytest.mark.parametrize("limits,expected", [(logins.LoginLimits(per_account=2, per_address=99), 2),
                                             (logins.LoginLimits(per_account=99, per_address=3), 3)])
def test_the_limits_come_from_configuration(app, client, session, limits, expected):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=limits.per_account,
                      LOGIN_MAX_FAILURES_PER_ADDRESS=limits.per_address)
    make_user(session, Role.REVIEWER, username="rita")
    for _ in range(expected):
        attempt(client, "rita", WRONG)
    assert attempt(client, "rita", PASSWORD).status_code == 429


def test_old_failures_are_pruned(session):
    session.add(LoginAttempt(username="old", address="x", at=utcnow() - timedelta(days=2)))
    session.commit()
    logins.record_failure(session=session, username="new", address="x")
    assert [a.username for a in session.exec(select(LoginAttempt))] == ["new"]


@pytest.mark.parametrize("proxies, recorded", [(0, "10.0.0.2"), (1, "203.0.113.80")])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(
        database_url, tmp_path, proxies, recorded):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "k",
                      "INDEX_DIR": str(tmp_path / "index"), "TRUSTED_PROXIES": proxies})
    with app.test_client() as client:
        page = client.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.2"})
        client.post("/login", data={"username": "nobody", "password": WRONG,
                                    "csrf_token": token_in(page.get_data(as_text=True))},
                    environ_base={"REMOTE_ADDR": "10.0.0.2"}, headers={"X-Forwarded-For": "203.0.113.80"})
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(LoginAttempt.address)).all() == [recorded]
    db.get_engine(app).dispose()
