"""Importing by URL through the import form: the page's article text comes in, internal addresses do not."""
from __future__ import annotations

from sqlmodel import select

from factcheck import tokens
from factcheck.models import Article, Claim, Role
from tests import factories
from tests.security.conftest import ARTICLE_HTML


def test_a_reviewer_imports_an_article_by_its_url(app, session, browser, local_site):
    app.config["FETCH_ALLOW_LOOPBACK"] = True  # the test server is local; real deployments never set this
    local_site.route("/moved", status=301, headers={"Location": "/news/bridge"})
    local_site.route("/news/bridge", headers={"Content-Type": "text/html; charset=utf-8"}, body=ARTICLE_HTML)
    reviewer = browser(Role.REVIEWER, "rev")
    assert 'id="import-fetch"' in reviewer.get("/articles/import").get_data(as_text=True)
    response = reviewer.post("/articles/import", {"url": local_site.base + "/moved", "fetch": "y", "outlet": "Local"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    session.commit()
    article = session.exec(select(Article)).one()
    assert article.source_kind == "url" and article.title == "Bridge costs rise"
    assert "harbour bridge cost $2.6 million" in article.text and "<p>" not in article.text
    assert session.exec(select(Claim).where(Claim.article_id == article.id)).first() is not None


def test_without_the_fetch_box_the_url_is_only_metadata(app, session, browser, local_site):
    app.config["FETCH_ALLOW_LOOPBACK"] = True
    local_site.route("/a", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    reviewer = browser(Role.REVIEWER, "rev")
    response = reviewer.post("/articles/import", {"url": local_site.base + "/a"})
    assert response.status_code == 400 and local_site.requests == []


def test_an_internal_address_is_refused_with_a_clear_message(session, browser, local_site):
    local_site.route("/a", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    reviewer = browser(Role.REVIEWER, "rev")
    response = reviewer.post("/articles/import", {"url": local_site.base + "/a", "fetch": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Refused to fetch 127.0.0.1" in body and "loopback" in body
    assert local_site.requests == []
    session.commit()
    assert session.exec(select(Article)).first() is None


def test_the_configured_size_cap_applies(app, session, browser, local_site):
    app.config.update(FETCH_ALLOW_LOOPBACK=True, FETCH_MAX_BYTES=1000)
    local_site.route("/big", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML * 3)
    reviewer = browser(Role.REVIEWER, "rev")
    response = reviewer.post("/articles/import", {"url": local_site.base + "/big", "fetch": "y"})
    assert response.status_code == 400 and "the limit is 1,000 bytes" in response.get_data(as_text=True)


def test_a_redirect_to_an_internal_address_is_refused_through_the_form(app, session, browser, local_site):
    app.config["FETCH_ALLOW_LOOPBACK"] = True
    local_site.route("/hop", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    reviewer = browser(Role.REVIEWER, "rev")
    response = reviewer.post("/articles/import", {"url": local_site.base + "/hop", "fetch": "y"})
    assert response.status_code == 400 and "cloud metadata" in response.get_data(as_text=True)
    assert len(local_site.requests) == 1


def test_the_api_fetches_with_the_configured_limits(app, session, local_site):
    """The API's url import takes the desk's fetch settings as the form does (it used the built-in ones)."""
    app.config.update(FETCH_ALLOW_LOOPBACK=True, FETCH_MAX_BYTES=1000)
    local_site.route("/big", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML * 3)
    local_site.route("/a", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    _token, raw = tokens.create_token(session=session, actor=factories.make_user(session, Role.REVIEWER), name="t")
    api = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}
    big = api.post("/api/v1/articles", json={"url": local_site.base + "/big"}, headers=headers)
    assert big.status_code == 400 and "the limit is 1,000 bytes" in big.get_json()["error"]["message"]
    app.config["FETCH_MAX_BYTES"] = 100_000
    created = api.post("/api/v1/articles", json={"url": local_site.base + "/a"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert "harbour bridge cost $2.6 million" in created.get_json()["article"]["text"]


def test_a_redirected_story_is_refused_as_a_duplicate_whichever_way_it_came_in(app, session, browser, local_site):
    """The form recorded the address typed and the API the one the redirects end at, and each checked only its own."""
    app.config["FETCH_ALLOW_LOOPBACK"] = True
    local_site.route("/moved", status=301, headers={"Location": "/news/bridge"})
    local_site.route("/news/bridge", headers={"Content-Type": "text/html; charset=utf-8"}, body=ARTICLE_HTML)
    reviewer = browser(Role.REVIEWER, "rev")
    first = reviewer.post("/articles/import", {"url": local_site.base + "/moved", "fetch": "y"})
    assert first.status_code == 302
    _token, raw = tokens.create_token(session=session, actor=reviewer.user, name="t")
    headers = {"Authorization": f"Bearer {raw}"}
    for url in (local_site.base + "/moved", local_site.base + "/news/bridge"):
        again = app.test_client().post("/api/v1/articles", json={"url": url}, headers=headers)
        assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate_article", url
    session.commit()
    (article,) = session.exec(select(Article)).all()
    assert article.url == local_site.base + "/news/bridge"
