"""ClaimReview out: every exported object is checked against tests/schemas/claimreview.schema.json."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from sqlmodel import select

from factcheck import verdicts
from factcheck.exports import claimreview
from factcheck.exports.claimreview import Site, claim_review, dumps_ld, entity, explanation
from factcheck.models import Claim, ClaimLink, ClaimStatus, LinkState, Role, Verdict, VerdictState, utcnow
from tests.factories import make_article, make_claim, make_published_verdict, make_user, rating

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "claimreview.schema.json").read_text())
FORMATS = FormatChecker()
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})")


@FORMATS.checks("date-time", raises=ValueError)
def is_iso_datetime(value) -> bool:
    """RFC 3339 / ISO 8601 date-time with an offset (jsonschema ships no checker for it without extras)."""
    if not isinstance(value, str):
        return True
    if not ISO_DATETIME.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO 8601 date-time with an offset")
    datetime.fromisoformat(value)
    return True


@FORMATS.checks("uri")
def is_absolute_url(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FORMATS)
SITE = Site("Test desk", "https://desk.example.org", "https://desk.example.org/checks")


def assert_valid_claimreview(obj: dict) -> None:
    """The JSON Schema, plus what a schema cannot say: a numeric rating lies within [worst, best]."""
    VALIDATOR.validate(obj)
    for review in obj["dataFeedElement"] if obj["@type"] == "DataFeed" else [obj]:
        r = review["reviewRating"]
        if "ratingValue" in r:
            assert r["worstRating"] <= r["ratingValue"] <= r["bestRating"], r


def published(session, claim, rating_name="False", rationale=None, when=None):
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    verdict = make_published_verdict(session, claim, reviewer, editor, rating_name)
    if rationale or when:
        verdict.rationale = rationale or verdict.rationale
        verdict.signed_off_at = when or verdict.signed_off_at
        session.add(verdict)
        session.commit()
    return verdict


def confirm(session, a: Claim, b: Claim, state=LinkState.CONFIRMED):
    lo, hi = sorted((a.id, b.id))
    session.add(ClaimLink(claim_a_id=lo, claim_b_id=hi, score=95, state=state))
    session.commit()


# -- the schema itself catches what it should ------------------------------------------------------

def good_review() -> dict:
    return {
        "@context": "https://schema.org", "@type": "ClaimReview", "url": "https://desk.example.org/checks#claim-1",
        "claimReviewed": "The bridge cost $2.6 million.", "datePublished": "2026-10-20T10:00:00+00:00",
        "author": {"@type": "Organization", "name": "Desk", "url": "https://desk.example.org"},
        "reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1, "bestRating": 5,
                         "worstRating": 1, "ratingExplanation": "Records show otherwise."},
        "itemReviewed": {"@type": "Claim", "datePublished": "2026-10-14T12:00:00+00:00"},
    }


@pytest.mark.parametrize("breaks", [
    lambda r: r.pop("url"),
    lambda r: r.update(url="/checks#claim-1"),
    lambda r: r.update(datePublished="20 October 2026"),
    lambda r: r["itemReviewed"].update(datePublished="2026-10-14"),
    lambda r: r["reviewRating"].pop("bestRating"),
    lambda r: [r["reviewRating"].pop(k) for k in ("ratingValue", "bestRating")],
    lambda r: r["reviewRating"].pop("alternateName"),
    lambda r: r["reviewRating"].update(ratingValue=9),
    lambda r: r.update(claimReviewed=""),
    lambda r: r["itemReviewed"].update(appearance=[{"@type": "CreativeWork", "url": "https://a.example/x"}]),
])
def test_schema_refuses_broken_reviews(breaks):
    review = good_review()
    assert_valid_claimreview(review)
    breaks(review)
    with pytest.raises((ValidationError, AssertionError)):
        assert_valid_claimreview(review)


# -- building a review ---------------------------------------------------------------------------

def test_signed_off_verdict_becomes_a_valid_claimreview(session):
    article = make_article(session, text="Mayor Elena Ruiz said the bridge cost $2.6 million.", title="Bridge costs",
                           outlet="Northport Herald", url="https://herald.example.org/bridge",
                           published_at=datetime(2026, 10, 14, 12, tzinfo=timezone.utc))
    claim = make_claim(session, article, text="The bridge cost $2.6 million.", speaker="Mayor Elena Ruiz")
    checked_at = datetime(2026, 10, 20, 9, 30, tzinfo=timezone.utc)
    published(session, claim, "Mostly false", rationale="Council minutes put the cost at $1.9 million. The higher "
              "figure includes a road project. Other details follow here.", when=checked_at)
    review = claim_review(session, claim, SITE)
    assert_valid_claimreview(review)
    assert review["claimReviewed"] == claim.text
    assert review["url"] == f"https://desk.example.org/checks#claim-{claim.id}"
    assert datetime.fromisoformat(review["datePublished"]) == checked_at
    assert review["author"] == {"@type": "Organization", "name": "Test desk", "url": "https://desk.example.org"}
    values = [r.value for r in verdicts.scale(session) if r.value > 0]
    assert review["reviewRating"] == {
        "@type": "Rating", "alternateName": "Mostly false", "ratingValue": rating(session, "Mostly false").value,
        "bestRating": max(values), "worstRating": min(values),
        "ratingExplanation": "Council minutes put the cost at $1.9 million. The higher figure includes a road project."}
    item = review["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "Mayor Elena Ruiz"}
    # When the claim was made (the article), not when it was checked.
    assert datetime.fromisoformat(item["datePublished"]) == datetime(2026, 10, 14, 12, tzinfo=timezone.utc)
    assert item["appearance"] == [item["firstAppearance"]]
    assert item["firstAppearance"]["url"] == "https://herald.example.org/bridge"
    assert item["firstAppearance"]["publisher"] == {"@type": "Organization", "name": "Northport Herald"}


def test_drafts_never_leak(session):
    owner, editor = make_user(session), make_user(session, Role.EDITOR)
    claim = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED)
    draft = Verdict(claim_id=claim.id, rating_id=rating(session, "True").id, rationale="Draft reasoning, unreviewed.",
                    given_by_id=owner.id)
    session.add(draft)
    session.commit()
    assert claim_review(session, claim, SITE) is None
    assert claim_review(session, claim, SITE, verdict=draft) is None
    draft.state = VerdictState.SENT_BACK
    session.add(draft)
    session.commit()
    assert claim_review(session, claim, SITE) is None
    # Signed off as False, then reopened with a new proposal of True: the export keeps the published one.
    make_published_verdict(session, claim, owner, editor, "False")
    session.add(Verdict(claim_id=claim.id, rating_id=rating(session, "True").id, rationale="A newer draft here.",
                        given_by_id=owner.id, given_at=utcnow() + timedelta(minutes=5)))
    session.commit()
    review = claim_review(session, claim, SITE)
    assert review["reviewRating"]["alternateName"] == "False"
    assert "newer draft" not in json.dumps(review)


@pytest.mark.parametrize("speaker,kind", [
    ("Ministry of Health", "Organization"), ("Acme Widgets Inc.", "Organization"), ("Green Party", "Organization"),
    ("Northport City Council", "Organization"), ("the transport department", "Organization"),
    ("Elena Ruiz", "Person"), ("Councillor Mark Osei", "Person"),
    # desks quote other languages too: the organisation words of those were read as a person's name
    ("Ministère de la Santé", "Organization"), ("Polizei Berlin", "Organization"),
    ("МИД России", "Organization"), ("Мария Захарова", "Person"), ("José Núñez", "Person"),
])
def test_speaker_is_a_person_or_an_organisation(speaker, kind):
    assert entity(speaker) == {"@type": kind, "name": speaker}


def test_without_a_speaker_the_outlet_is_the_claimant(session):
    claim = make_claim(session, make_article(session, outlet="Northport Courier"))
    published(session, claim)
    assert claim_review(session, claim, SITE)["itemReviewed"]["author"] == {"@type": "Organization", "name": "Northport Courier"}
    bare = make_claim(session, make_article(session, outlet=None))
    published(session, bare)
    review = claim_review(session, bare, SITE)
    assert_valid_claimreview(review)
    assert "author" not in review["itemReviewed"] and "appearance" not in review["itemReviewed"]


def test_appearances_are_the_confirmed_cluster_earliest_first(session):
    day = lambda d: datetime(2026, 10, d, 12, tzinfo=timezone.utc)  # noqa: E731
    text = "The bridge repair will cost the city $2.6 million."
    herald = make_article(session, text=text, outlet="Herald", url="https://herald.example/a", published_at=day(15))
    courier = make_article(session, text=text, outlet="Courier", url="https://courier.example/b", published_at=day(12))
    wire = make_article(session, text=text, outlet="Wire", url="https://wire.example/c", published_at=day(13))
    reprint = make_article(session, text=text, outlet="Herald", url="https://herald.example/a", published_at=day(16))
    no_url = make_article(session, text=text, outlet="Radio", url=None, published_at=day(1))
    suggested = make_article(session, text=text, outlet="Blog", url="https://blog.example/d", published_at=day(2))
    claims = {a.outlet + str(a.id): make_claim(session, a, text=text) for a in (herald, courier, wire, reprint, no_url, suggested)}
    main, c_courier, c_wire, c_reprint, c_radio, c_blog = claims.values()
    confirm(session, main, c_courier)
    confirm(session, c_courier, c_wire, LinkState.AUTO_CONFIRMED)  # reached through the courier claim
    confirm(session, main, c_reprint)
    confirm(session, main, c_radio)
    confirm(session, main, c_blog, LinkState.SUGGESTED)  # not confirmed: not an appearance
    published(session, main)
    review = claim_review(session, main, SITE)
    assert_valid_claimreview(review)
    urls = [w["url"] for w in review["itemReviewed"]["appearance"]]
    assert urls == ["https://courier.example/b", "https://wire.example/c", "https://herald.example/a"]
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://courier.example/b"
    # when the claim entered public discourse: the earliest confirmed appearance, the radio's without an address
    assert datetime.fromisoformat(review["itemReviewed"]["datePublished"]) == day(1)


def test_long_claims_are_shortened_and_never_carry_the_rating(session):
    text = "The council said " + " ".join(f"item{n}" for n in range(120)) + " cost $2.6 million in total."
    claim = make_claim(session, make_article(session, text=text), text=text)
    published(session, claim, "Half true")
    review = claim_review(session, claim, SITE)
    assert_valid_claimreview(review)
    assert len(review["claimReviewed"]) <= 300 and review["claimReviewed"].endswith("…")
    assert text.startswith(review["claimReviewed"][:-1])
    assert "Half true" not in review["claimReviewed"]


@pytest.mark.parametrize("rationale,expected", [
    ("Short one. Second sentence here! Third is left out.", "Short one. Second sentence here!"),
    ("A first sentence that is long enough on its own to stand as the explanation of the rating given. And more.",
     "A first sentence that is long enough on its own to stand as the explanation of the rating given."),
    ("No full stop at all", "No full stop at all"),
    ("The cost was $2.6 million, not 26.5 million. Records agree.", "The cost was $2.6 million, not 26.5 million. Records agree."),
])
def test_rating_explanation_is_the_first_sentence_or_two(rationale, expected):
    assert explanation(rationale) == expected


def test_false_is_the_worst_rating_not_unverifiable(session):
    claim = make_claim(session)
    published(session, claim, "False")
    review = claim_review(session, claim, SITE)
    assert_valid_claimreview(review)
    assert {k: review["reviewRating"][k] for k in ("ratingValue", "bestRating", "worstRating")} == {
        "ratingValue": 1, "bestRating": 5, "worstRating": 1}


def test_an_inconclusive_rating_is_exported_by_name_without_numbers(session):
    claim = make_claim(session)
    published(session, claim, "Unverifiable", rationale="No record of the payment could be found.")
    review = claim_review(session, claim, SITE)
    assert_valid_claimreview(review)
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Unverifiable",
                                      "ratingExplanation": "No record of the payment could be found."}


def test_an_inactive_rating_stays_within_worst_and_best(session):
    admin = make_user(session, Role.ADMIN)
    odd = verdicts.save_rating(session=session, actor=admin, name="Beyond true", value=9, description="")
    claim = make_claim(session)
    published(session, claim, "Beyond true")
    verdicts.save_rating(session=session, actor=admin, rating=odd, name="Beyond true", value=9, active=False)
    review = claim_review(session, claim, SITE)
    assert_valid_claimreview(review)
    assert review["reviewRating"]["bestRating"] == 9 and review["reviewRating"]["ratingValue"] == 9


# -- feeds and the CLI ----------------------------------------------------------------------------

def desk_with_reviews(session, n=3):
    """n published claims, one draft and one merged published claim: only the n are exported."""
    article = make_article(session, outlet="Herald", url="https://herald.example/x")
    done = [make_claim(session, article, text=f"Published claim number {i}.") for i in range(n)]
    for c in done:
        published(session, c)
    make_claim(session, article, text="Still a draft.", status=ClaimStatus.VERDICT_PROPOSED)
    merged = make_claim(session, article, text="Merged away.")
    published(session, merged)
    merged.merged_into_id = done[0].id
    session.add(merged)
    session.commit()
    return done


def test_review_pages_cover_every_published_claim_once(session):
    done = desk_with_reviews(session, 5)
    seen, page = [], 1
    while True:
        reviews, more = claimreview.review_page(session, SITE, page, page_size=2)
        feed = claimreview.data_feed(reviews, "https://desk.example.org/claimreview.json?page=2" if more else None)
        assert_valid_claimreview(feed)
        seen += [r["url"] for r in reviews]
        if not more:
            break
        page += 1
    assert page == 3
    assert seen == [f"{SITE.base_url}#claim-{c.id}" for c in done]
    assert [r["url"] for r in claimreview.all_reviews(session, SITE)] == seen


def test_a_claim_merged_away_publishes_nothing_of_its_own(session, auth):
    """The feed leaves it out; so do its own page's embed and its download, which served its old
    review as if it still stood beside the claim it was merged into."""
    desk_with_reviews(session, 1)
    merged = session.exec(select(Claim).where(Claim.text == "Merged away.")).one()
    assert claim_review(session, merged, SITE) is None
    auth.login("editor")
    assert auth.client.get(f"/export/claims/{merged.id}/claimreview.json").status_code == 404
    assert "claimreview-jsonld" not in auth.client.get(f"/claims/{merged.id}").get_data(as_text=True)


def test_dumps_ld_escapes_markup_and_round_trips():
    payload = {"claimReviewed": "</script><script>alert(1)</script> & more"}
    text = dumps_ld(payload)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text
    assert json.loads(text) == payload


def test_cli_export_writes_a_valid_feed_with_filters(runner, session, tmp_path):
    make_user(session, Role.ADMIN)
    done = desk_with_reviews(session, 3)
    other = make_claim(session, make_article(session, outlet="Courier"), text="A Courier claim.", speaker="Ana Lima")
    published(session, other, "True")
    out = tmp_path / "feed.json"
    result = runner.invoke(args=["export", "claimreview", "-o", str(out)])
    assert result.exit_code == 0, result.output
    feed = json.loads(out.read_text())
    assert_valid_claimreview(feed)
    assert [r["url"].rsplit("-", 1)[1] for r in feed["dataFeedElement"]] == [str(c.id) for c in done + [other]]
    result = runner.invoke(args=["export", "claimreview", "--outlet", "Courier"])
    assert result.exit_code == 0, result.output
    only = json.loads(result.stdout)
    assert_valid_claimreview(only)
    assert [r["claimReviewed"] for r in only["dataFeedElement"]] == ["A Courier claim."]
    result = runner.invoke(args=["export", "claimreview", "--verdict", "True", "--status", "signed_off"])
    assert [r["reviewRating"]["alternateName"] for r in json.loads(result.stdout)["dataFeedElement"]] == ["True"]
    empty = runner.invoke(args=["export", "claimreview", "--status", "new"])
    assert json.loads(empty.stdout)["dataFeedElement"] == []
    said = runner.invoke(args=["export", "claimreview", "--speaker", "Ana Lima"])  # as export csv takes it
    assert [r["claimReviewed"] for r in json.loads(said.stdout)["dataFeedElement"]] == ["A Courier claim."]


# -- served over HTTP -------------------------------------------------------------------------------

HOSTILE = "</script><script>alert(1)</script> & the bridge cost <b>$2.6M</b>"


def test_claim_page_carries_escaped_json_ld(client, auth, session):
    article = make_article(session, text=HOSTILE, url="https://herald.example/hostile?a=1&b=2", outlet="Herald & Co")
    claim = make_claim(session, article, text=HOSTILE, speaker="</script>Evil Inc.")
    published(session, claim)
    auth.login(Role.REVIEWER)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    block = re.search(r'<script type="application/ld\+json" id="claimreview-jsonld">(.*?)</script>', page, re.S)
    assert block, "no JSON-LD data block on the claim page"
    body = block.group(1)
    assert "<" not in body and ">" not in body and "&" not in body
    review = json.loads(body)
    assert_valid_claimreview(review)
    assert review["claimReviewed"] == HOSTILE
    assert review["itemReviewed"]["author"]["name"] == "</script>Evil Inc."
    assert "<script>alert(1)" not in page  # nowhere else on the page either: autoescaped
    csp = client.get(f"/claims/{claim.id}").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_claim_page_of_a_draft_has_no_json_ld(client, auth, session):
    claim = make_claim(session, status=ClaimStatus.VERDICT_PROPOSED)
    editor = auth.user(Role.EDITOR)
    session.add(Verdict(claim_id=claim.id, rating_id=rating(session).id, rationale="Draft only, not yet published.",
                        given_by_id=editor.id))
    session.commit()
    auth.login(Role.EDITOR)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "application/ld+json" not in page
    assert client.get(f"/export/claims/{claim.id}/claimreview.json").status_code == 404


def test_download_route_serves_one_review(client, auth, session):
    claim = make_claim(session)
    published(session, claim, "Half true")
    auth.login(Role.REVIEWER)
    response = client.get(f"/export/claims/{claim.id}/claimreview.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert f"claimreview-{claim.id}.json" in response.headers["Content-Disposition"]
    review = json.loads(response.get_data(as_text=True))
    assert_valid_claimreview(review)
    assert review["reviewRating"]["alternateName"] == "Half true"
    assert review["url"].startswith(client.application.config["PUBLIC_BASE_URL"] + "#claim-")


def test_feed_route_pages_with_next_links(client, auth, session, app):
    app.config["CLAIMREVIEW_PAGE_SIZE"] = 2
    done = desk_with_reviews(session, 3)
    assert client.get("/claimreview.json").status_code == 302  # the login wall holds here too
    auth.login(Role.REVIEWER)
    first = client.get("/claimreview.json")
    feed = json.loads(first.get_data(as_text=True))
    assert_valid_claimreview(feed)
    assert len(feed["dataFeedElement"]) == 2
    assert feed["nextPage"].endswith("/claimreview.json?page=2") and 'rel="next"' in first.headers["Link"]
    second = json.loads(client.get(urlsplit(feed["nextPage"]).path + "?page=2").get_data(as_text=True))
    assert_valid_claimreview(second)
    assert "nextPage" not in second
    ids = [r["url"].rsplit("-", 1)[1] for r in feed["dataFeedElement"] + second["dataFeedElement"]]
    assert ids == [str(c.id) for c in done]
    assert client.get("/claimreview.json?page=0").status_code == 400
    assert client.get("/claimreview.json?page=abc").status_code == 400


@pytest.mark.parametrize("page", ["²", "١٢", "9" * 5000, "1000001", "-1", "1.5", " ", ""])
def test_feed_page_numbers_that_are_not_plain_whole_numbers_are_a_400(client, auth, session, page):
    auth.login(Role.REVIEWER)
    response = client.get("/claimreview.json", query_string={"page": page})
    assert response.status_code == 400
    assert "page must be a whole number" in response.get_data(as_text=True)
