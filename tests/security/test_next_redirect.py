"""After login, ?next= sends the user only to a path on this site, never to another host."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from factcheck.models import Role
from tests.conftest import token_in
from tests.factories import PASSWORD, make_user


def login_with_next(client, target: str):
    page = client.get("/login")
    return client.post(f"/login?next={quote(target, safe='')}",
                       data={"username": "rita", "password": PASSWORD, "csrf_token": token_in(page.get_data(as_text=True))})


@pytest.mark.parametrize("target", ["http:evil.example", "https:evil.example", "//evil.example", "///evil.example",
                                    "https://evil.example/x", "http://localhost.evil.example/", "/\\evil.example",
                                    "\\\\evil.example", "/\t/evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
                                    "evil.example/path", "claims/3", " /claims/3"])
def test_a_foreign_or_odd_next_falls_back_to_the_queue(client, session, target):
    make_user(session, Role.REVIEWER, username="rita")
    response = login_with_next(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/claims/"


@pytest.mark.parametrize("target", ["/claims/3", "/search/?q=bridge&status=new", "/articles/2#claim-4"])
def test_a_local_next_path_is_followed(client, session, target):
    make_user(session, Role.REVIEWER, username="rita")
    response = login_with_next(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == target
