"""The claim queue in pages: every claim can be reached, in the queue's order, with the total shown."""
from __future__ import annotations

import re

import pytest

from factcheck import workflow
from factcheck.models import Claim, ClaimStatus, Role
from tests.factories import make_article

PAGE = workflow.QUEUE_PAGE


@pytest.fixture
def many(session):
    """PAGE + 5 new claims and 3 triaged ones, worthiness falling with the id, in one commit."""
    article = make_article(session)
    claims = [Claim(article_id=article.id, text=f"Claim {n}.", start=0, end=1, checkworthiness=1 - n / 1000,
                    status=ClaimStatus.TRIAGED if n < 3 else ClaimStatus.NEW) for n in range(PAGE + 8)]
    session.add_all(claims)
    session.commit()
    return [c.id for c in claims]


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="row-(\d+)">', html)]


def test_the_queue_pages_through_every_claim_in_order(client, auth, many):
    auth.login(Role.EDITOR)
    first = client.get("/claims/").get_data(as_text=True)
    assert row_ids(first) == many[:PAGE]
    assert f"Claims 1–{PAGE} of {PAGE + 8}, most check-worthy first." in first
    assert 'rel="next" href="/claims/?page=2"' in first and "page 1 of 2" in first and 'rel="prev"' not in first
    second = client.get("/claims/?page=2").get_data(as_text=True)
    assert row_ids(second) == many[PAGE:]
    assert f"Claims {PAGE + 1}–{PAGE + 8} of {PAGE + 8}" in second
    assert 'rel="prev" href="/claims/?page=1"' in second and 'rel="next"' not in second


def test_page_links_keep_the_filter(client, auth, many):
    auth.login(Role.EDITOR)
    html = client.get("/claims/?status=new").get_data(as_text=True)
    assert f"of {PAGE + 5}," in html and 'href="/claims/?status=new&amp;page=2"' in html
    triaged = client.get("/claims/?status=triaged").get_data(as_text=True)
    assert "3 claims, most check-worthy first." in triaged and 'class="pagination"' not in triaged


def test_a_page_past_the_end_links_back_and_a_bad_page_is_a_400(client, auth, many):
    auth.login(Role.REVIEWER)
    past = client.get("/claims/?page=9")
    assert past.status_code == 200 and row_ids(past.get_data(as_text=True)) == []
    assert 'Page 9 is past the last page: <a href="/claims/?page=2">' in past.get_data(as_text=True)
    for bad in ("0", "abc", "-1", "9" * 50):
        response = client.get(f"/claims/?page={bad}")
        assert response.status_code == 400
        assert "The page number is a whole number from 1 to 100,000." in response.get_data(as_text=True)
