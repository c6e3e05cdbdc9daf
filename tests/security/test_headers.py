"""Security headers on every kind of response, and pages that need no inline script or style."""
from __future__ import annotations

import pytest

from factcheck.models import ClaimStatus, Role
from tests.factories import make_article, make_claim
from tests.security.conftest import injected_markup


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_headers(response):
    csp = csp_directives(response.headers["Content-Security-Policy"])
    for directive in ("default-src", "script-src", "style-src"):
        assert directive in csp
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(csp[directive]), directive
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def pages(session, auth):
    article = make_article(session)
    claim = make_claim(session, article, status=ClaimStatus.IN_RESEARCH)
    return {"login": "/login", "queue": "/claims/", "claim": f"/claims/{claim.id}", "article": f"/articles/{article.id}",
            "articles": "/articles/", "import": "/articles/import", "search": "/search/?q=bridge",
            "admin": "/admin/", "export": "/export/claims.csv", "missing": "/claims/999999", "static": "/static/style.css",
            "no-route": "/nowhere", "similar": f"/search/similar/{claim.id}"}


def test_every_response_carries_the_headers(client, auth, pages):
    auth.login(Role.ADMIN)
    seen = set()
    for name, url in pages.items():
        response = client.get(url)
        assert_headers(response)
        seen.add(response.status_code)
        response.close()
    assert {200, 404} <= seen


def test_errors_and_refusals_carry_the_headers_too(client, auth, pages):
    assert_headers(client.get("/claims/"))  # the redirect to login
    assert_headers(client.post("/logout"))  # CSRF refusal
    auth.login(Role.REVIEWER)
    assert_headers(client.get("/admin/"))  # 403


def test_pages_need_no_inline_script_or_style(client, auth, pages):
    auth.login(Role.ADMIN)
    for name, url in pages.items():
        response = client.get(url)
        if response.mimetype == "text/html":
            assert injected_markup(response.get_data(as_text=True)) == [], name
        response.close()


def test_pages_are_not_cached_but_static_files_may_be(client, auth, pages):
    auth.login(Role.REVIEWER)
    assert client.get(pages["claim"]).headers["Cache-Control"] == "no-store"
    static = client.get(pages["static"])
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
    static.close()
