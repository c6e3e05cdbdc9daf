"""Admin forms over HTTP: the rating scale and desk members refuse bad input with a reason, never a 500."""
from __future__ import annotations

import json
import re
from html import unescape as html_unescape

import pytest
from sqlmodel import select

from factcheck import users, verdicts
from factcheck.errors import NotAllowed
from factcheck.models import Rating, Role, User
from tests.conftest import token_in
from tests.factories import PASSWORD, make_user, rating


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


# --- the rating scale is edited on the admin page ------------------------------------------------------

def control(html: str, element_id: str) -> str:
    """The opening tag (or the whole textarea) of the form control with this id."""
    match = re.search(rf'<(input|textarea|select)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>(?:[^<]*</textarea>)?', html)
    assert match, f"no control with id {element_id}"
    return match.group(0)


def fresh(session) -> None:
    """End the test session's read transaction: on SQLite (WAL) it would keep an old snapshot."""
    session.rollback()
    session.expire_all()


def names_in_order(session) -> list[str]:
    fresh(session)
    return [r.name for r in verdicts.scale(session, include_inactive=True)]


def test_each_rating_has_an_edit_form_prefilled_with_its_values(auth, session):
    auth.login(Role.ADMIN)
    true = rating(session, "True")
    html = auth.client.get("/admin/").get_data(as_text=True)
    assert f'action="/admin/ratings/{true.id}"' in html
    assert 'value="True"' in control(html, f"rating-{true.id}-name")
    assert 'value="5.0"' in control(html, f"rating-{true.id}-value")
    assert true.description in control(html, f"rating-{true.id}-description")
    assert "checked" in control(html, f"rating-{true.id}-active")
    assert f'<label for="rating-{true.id}-name">' in html


def edit_form(html: str, rating_id: int) -> dict[str, str]:
    """What the rating's edit form sends as the page fills it in: its inputs (a ticked box only) and textarea."""
    form = re.search(rf'<form[^>]*id="rating-form-{rating_id}".*?</form>', html, re.S).group(0)
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag).group(1), re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' not in tag or "checked" in tag:
            data[name] = html_unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(?:\r?\n)?(.*?)</textarea>', form, re.S):
        data[name] = html_unescape(text)
    return data


def test_renaming_a_rating_on_the_page_keeps_its_description(auth, session):
    auth.login(Role.ADMIN)
    true = rating(session, "True")
    description = true.description
    data = edit_form(auth.client.get("/admin/").get_data(as_text=True), true.id)
    assert data["name"] == "True" and data["description"] == description and data["active"] == "y"
    response = auth.client.post(f"/admin/ratings/{true.id}", data={**data, "name": "Accurate"})
    assert response.status_code == 302
    fresh(session)
    renamed = session.get(Rating, true.id)
    assert (renamed.name, renamed.value, renamed.description, renamed.active) == ("Accurate", 5, description, True)


def test_deactivating_a_rating_on_the_page_takes_it_off_the_reviewers_scale(auth, session):
    auth.login(Role.ADMIN)
    misleading = rating(session, "Misleading")
    data = edit_form(auth.client.get("/admin/").get_data(as_text=True), misleading.id)
    del data["active"]  # the box unticked: a browser sends nothing for it
    assert auth.client.post(f"/admin/ratings/{misleading.id}", data=data).status_code == 302
    fresh(session)
    assert session.get(Rating, misleading.id).active is False
    assert "Misleading" not in [r.name for r in verdicts.scale(session)]
    assert session.get(Rating, misleading.id).description == misleading.description
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "checked" not in control(page, f"rating-{misleading.id}-active")


def test_an_edit_that_does_not_send_the_description_leaves_it_alone(auth, session):
    auth.login(Role.ADMIN)
    true = rating(session, "True")
    description = true.description
    assert auth.post(f"/admin/ratings/{true.id}", {"name": "True", "value": "4.5", "active": "y"}).status_code == 302
    fresh(session)
    edited = session.get(Rating, true.id)
    assert edited.value == 4.5 and edited.description == description and description


def test_ratings_move_up_and_down_the_scale(auth, session):
    auth.login(Role.ADMIN)
    before = names_in_order(session)
    false = rating(session, "False")
    html = auth.client.get("/admin/").get_data(as_text=True)
    assert f'id="rating-up-{false.id}"' in html and "Move False up" in html
    assert auth.post(f"/admin/ratings/{false.id}/move", {"direction": "up"}).status_code == 302
    after = names_in_order(session)
    at = before.index("False")
    assert after[at - 1:at + 1] == ["False", "Mostly false"] and len(after) == len(before)
    assert auth.post(f"/admin/ratings/{false.id}/move", {"direction": "down"}).status_code == 302
    assert names_in_order(session) == before
    # positions are distinct after a move, so the order no longer leans on ids
    assert len({r.position for r in verdicts.scale(session, include_inactive=True)}) == len(before)


def test_a_new_rating_can_be_moved_off_the_bottom(auth, session):
    auth.login(Role.ADMIN)
    assert auth.post("/admin/ratings", {"name": "Satire", "value": "0", "active": "y"}).status_code == 302
    satire = rating(session, "Satire")
    assert names_in_order(session)[-1] == "Satire"
    assert auth.post(f"/admin/ratings/{satire.id}/move", {"direction": "up"}).status_code == 302
    assert names_in_order(session)[-2:] == ["Satire", "Unverifiable"]


def test_moves_past_the_ends_or_sideways_are_refused_with_a_reason(auth, session):
    auth.login(Role.ADMIN)
    top, bottom = names_in_order(session)[0], names_in_order(session)[-1]
    response = auth.post(f"/admin/ratings/{rating(session, top).id}/move", {"direction": "up"})
    assert response.status_code == 400 and "already at the top of the scale" in response.get_data(as_text=True)
    response = auth.post(f"/admin/ratings/{rating(session, bottom).id}/move", {"direction": "down"})
    assert response.status_code == 400 and "already at the bottom of the scale" in response.get_data(as_text=True)
    response = auth.post(f"/admin/ratings/{rating(session, top).id}/move", {"direction": "left"})
    assert response.status_code == 400 and "A rating moves up or down." in response.get_data(as_text=True)
    assert auth.post("/admin/ratings/999999/move", {"direction": "up"}).status_code == 404


def test_only_admins_move_ratings(session):
    editor = make_user(session, Role.EDITOR, "eddie")
    with pytest.raises(NotAllowed):
        verdicts.move_rating(session=session, actor=editor, rating=rating(session, "False"), direction="up")


# --- a form sent with problems comes back with its values and the reasons beside its fields ---------------

def test_a_rating_value_that_is_not_a_number_comes_back_beside_the_field(auth, session):
    auth.login(Role.ADMIN)
    response = auth.post("/admin/ratings", {"name": "Satire", "value": "abc", "description": "Jokes.", "active": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<h1>Admin</h1>" in html
    assert "<title>Error: Admin · factcheck</title>" in html
    value = control(html, "value")
    assert 'value="abc"' in value and 'aria-invalid="true"' in value and 'aria-describedby="value-error"' in value
    assert '<p class="error" role="alert" id="value-error">A rating value is a number, such as 3 or 2.5.</p>' in html
    assert 'value="Satire"' in control(html, "name") and "Jokes." in control(html, "description")
    fresh(session)
    assert session.exec(select(Rating).where(Rating.name == "Satire")).first() is None


def test_a_refused_rating_edit_comes_back_in_its_own_form(auth, session):
    auth.login(Role.ADMIN)
    true = rating(session, "True")
    response = auth.post(f"/admin/ratings/{true.id}", {"name": "false", "value": "5", "active": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    name = control(html, f"rating-{true.id}-name")
    assert 'value="false"' in name and 'aria-invalid="true"' in name
    assert f'id="rating-{true.id}-name-error">There is already a rating named' in html
    assert 'value=""' in control(html, "name")  # the "Add a rating" form stays empty


def test_a_short_password_comes_back_beside_the_field_with_the_username_kept(auth, session):
    auth.login(Role.ADMIN)
    response = auth.post("/admin/users", {"username": "ana", "password": "short", "role": "editor"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<h1>Admin</h1>" in html and "<title>Error: Admin" in html
    assert 'value="ana"' in control(html, "username")
    password = control(html, "password")
    assert 'aria-invalid="true"' in password and 'aria-describedby="password-error"' in password
    assert 'id="password-error">Password must be at least 12 characters.</p>' in html
    assert '<option selected value="editor">' in html or 'selected value="editor"' in html
    fresh(session)
    assert session.exec(select(User).where(User.username == "ana")).first() is None


def test_a_member_another_admin_creates_at_the_same_moment_comes_back_beside_the_username(auth, session, database_url,
                                                                                         meanwhile):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the check and the insert cannot be overtaken")
    auth.login(Role.ADMIN)
    other = meanwhile("INSERT INTO user", lambda s: users.create_user(session=s, actor=None, username="Newbie",
                                                                      password=PASSWORD, role="editor"))
    response = auth.post("/admin/users", {"username": "newbie", "password": PASSWORD, "role": "reviewer"})
    meanwhile.join()
    html = response.get_data(as_text=True)
    assert "result" in other and response.status_code == 400, html  # the check's answer, not the generic 409
    assert 'aria-invalid="true"' in control(html, "username")
    assert 'id="username-error">User &#39;Newbie&#39; already exists (usernames ignore case).</p>' in html
    fresh(session)
    assert [u.username for u in session.exec(select(User).where(User.role != Role.ADMIN))] == ["Newbie"]
    assert auth.client.get("/admin/").status_code == 200


def test_flash_messages_are_a_plain_list_inside_a_live_region(auth, session):
    auth.login(Role.ADMIN)
    page = auth.post("/admin/ratings", {"name": "Satire", "value": "0", "active": "y"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert re.search(r'<div class="flashes" role="status">\s*<ul>\s*<li class="flash flash-success">Rating scale saved.</li>',
                     html)
    assert '<ul class="flashes"' not in html and "<title>Admin · factcheck</title>" in html
