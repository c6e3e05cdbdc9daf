"""Admin forms over HTTP: the rating scale and desk members refuse bad input with a reason, never a 500."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from factcheck.models import Rating, Role, User
from tests.conftest import token_in
from tests.factories import PASSWORD, rating


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309"])
def test_a_non_finite_rating_value_is_refused_with_a_reason(auth, session, value):
    auth.login(Role.ADMIN)
    created = auth.post("/admin/ratings", {"name": "Satire", "value": value, "active": "y"})
    assert created.status_code == 400 and "A rating value must be a finite number." in created.get_data(as_text=True)
    true = rating(session, "True")
    edited = auth.post(f"/admin/ratings/{true.id}", {"name": "True", "value": value, "active": "y"})
    assert edited.status_code == 400 and "A rating value must be a finite number." in edited.get_data(as_text=True)
    session.expire_all()
    assert session.exec(select(Rating).where(Rating.name == "Satire")).first() is None
    assert rating(session, "True").value == 5
    feed = auth.client.get("/claimreview.json")
    assert feed.status_code == 200 and "Infinity" not in feed.get_data(as_text=True)
    json.loads(feed.get_data(as_text=True))


def test_a_finite_rating_value_is_saved(auth, session):
    auth.login(Role.ADMIN)
    assert auth.post("/admin/ratings", {"name": "Satire", "value": "-2.5", "active": "y"}).status_code == 302
    session.expire_all()
    assert rating(session, "Satire").value == -2.5


def test_the_only_admin_cannot_demote_themself_over_http(auth, session):
    admin = auth.login(Role.ADMIN)
    response = auth.post(f"/admin/users/{admin.id}", {"role": "reviewer", "active": "y"})
    assert response.status_code == 400
    assert "The desk needs an active admin" in response.get_data(as_text=True)
    session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.active
    assert auth.client.get("/admin/").status_code == 200  # still an admin, still logged in


def test_a_username_differing_only_in_case_is_refused_and_login_still_works(auth, client, session):
    auth.login(Role.ADMIN)
    assert auth.post("/admin/users", {"username": "newbie", "password": PASSWORD, "role": "reviewer"}).status_code == 302
    response = auth.post("/admin/users", {"username": "NEWBIE", "password": PASSWORD, "role": "reviewer"})
    assert response.status_code == 400
    assert "User &#39;newbie&#39; already exists (usernames ignore case)." in response.get_data(as_text=True)
    session.expire_all()
    assert [u.username for u in session.exec(select(User).where(User.role == Role.REVIEWER))] == ["newbie"]
    auth.logout()
    page = client.get("/login")
    login = client.post("/login", data={"username": "newbie", "password": PASSWORD,
                                        "csrf_token": token_in(page.get_data(as_text=True))})
    assert login.status_code == 302 and login.headers["Location"] == "/claims/"


def test_a_rating_name_differing_only_in_case_is_refused(auth, session):
    auth.login(Role.ADMIN)
    response = auth.post("/admin/ratings", {"name": "true", "value": "5", "active": "y"})
    assert response.status_code == 400 and "There is already a rating named" in response.get_data(as_text=True)
    session.expire_all()
    assert [r.name for r in session.exec(select(Rating)) if r.name.lower() == "true"] == ["True"]
