"""Cursor pagination: every claim exactly once, in id order, even while claims are added."""
from __future__ import annotations

from factcheck.models import Claim, ClaimStatus
from tests.api.conftest import REVIEWER
from tests.factories import make_article, make_claim


def walk(api, query: str, limit: int, as_=REVIEWER, between=None) -> tuple[list[int], int]:
    ids, cursor, pages = [], None, 0
    while True:
        page = api.get(f"/claims?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""), as_=as_).get_json()
        ids += [c["id"] for c in page["items"]]
        pages += 1
        cursor = page["next"]
        if between:
            between(pages)
        if cursor is None:
            return ids, pages
        assert pages < 100, "the cursor never ran out"


def test_cursor_walks_every_claim_exactly_once(api, session):
    article = make_article(session)
    made = [make_claim(session, article, text=f"Claim number {n}.", checkworthiness=(n % 7) / 7) for n in range(23)]
    ids, pages = walk(api, "status=", 5)
    assert ids == sorted(c.id for c in made) and len(set(ids)) == len(ids)
    assert pages == 5


def test_exact_multiple_of_the_page_size_ends_with_null_next(api, session):
    article = make_article(session)
    made = [make_claim(session, article, text=f"Claim {n}.") for n in range(6)]
    first = api.get("/claims?limit=3").get_json()
    second = api.get(f"/claims?limit=3&cursor={first['next']}").get_json()
    assert [c["id"] for c in first["items"] + second["items"]] == [c.id for c in made]
    assert second["next"] is None
    assert first["next"] != str(made[2].id)  # opaque, not the bare id


def test_filters_hold_across_pages_and_new_claims_appear_at_the_end(api, session):
    gazette, herald = make_article(session, outlet="Gazette"), make_article(session, outlet="Herald")
    wanted = [make_claim(session, gazette, text=f"Gazette claim {n}.") for n in range(7)]
    for n in range(5):
        make_claim(session, herald, text=f"Herald claim {n}.")
    dismissed = make_claim(session, gazette, text="Dismissed gazette claim.", status=ClaimStatus.DISMISSED)
    late: list[Claim] = []

    def add_one(page_number: int):
        if page_number == 1:
            late.append(make_claim(session, gazette, text="Added while walking."))

    ids, _pages = walk(api, "outlet=gazette&status=new", 3, between=add_one)
    assert ids == [c.id for c in wanted] + [late[0].id]
    assert dismissed.id not in ids


def test_mine_lists_the_callers_claims(api, session):
    me = api.user(REVIEWER)
    mine = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=me)
    make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=api.user(REVIEWER, "someone"))
    body = api.get("/claims?mine=true").get_json()
    assert [c["id"] for c in body["items"]] == [mine.id] and body["items"][0]["assignee"] == me.username


def test_limit_defaults_and_caps(api, session):
    article = make_article(session)
    for n in range(55):
        make_claim(session, article, text=f"Claim {n}.")
    assert len(api.get("/claims").get_json()["items"]) == 50
    assert len(api.get("/claims?limit=200").get_json()["items"]) == 55
    assert api.get("/claims?limit=201").status_code == 400
