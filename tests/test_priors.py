"""Prior fact-checks in: reading the three file shapes, refusing bad files whole, matching, ratings, evidence."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import func, select

from factcheck import articles, claim_index, claims, priors, verdicts
from factcheck.links import MatchSettings
from factcheck.models import (AuditEvent, Claim, ClaimStatus, Evidence, LinkState, PriorFactCheck, PriorLink, RatingAlias, Role,
                              Stance)
from factcheck.priors import PriorImportRefused, parse_file
from tests.factories import make_article, make_claim, make_user, rating

FIXTURES = Path(__file__).parent / "fixtures" / "priors"
COURIER = (Path(articles.__file__).parent / "demo" / "harbour-bridge-courier.txt").read_bytes()
UTC = timezone.utc


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def records(data: bytes) -> list:
    return [found for _where, found in parse_file(data)]


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def editor(session):
    return make_user(session, Role.EDITOR)


def do_import(session, name: str, actor=None, **kw):
    return priors.import_priors(session=session, actor=actor or editor(session), data=fixture(name), source=name, **kw)


# -- the three shapes --------------------------------------------------------------------------------

def test_data_feed_with_feed_items_and_bare_reviews():
    found = records(fixture("datafeed.json"))
    assert [r["url"] for r in found] == ["https://checkers.example.org/2026/10/harbour-bridge-warned-2015",
                                         "https://checkers.example.org/2026/10/bridge-traffic-14000",
                                         "https://checkers.example.org/2026/10/state-pays-half"]
    first, second, third = found
    assert first["publisher"] == "Coastal Checkers" and first["claimant"] == "Mark Osei"
    assert first["rating_text"] == "Mostly True" and first["rating_value"] == 0.75 and first["language"] == "en"
    assert first["review_date"] == datetime(2026, 10, 16, 12, tzinfo=UTC)  # a bare date: noon UTC
    assert first["claim_date"] == datetime(2026, 10, 15, 12, tzinfo=UTC)
    assert second["review_date"] == datetime(2026, 10, 17, 8, 45, tzinfo=UTC)  # +02:00 moved to UTC
    assert second["claimant"] == "Northport transport department"
    assert third["publisher"] == "Coastal Checkers"  # author given as a list
    assert third["rating_text"] == "Needs context" and third["rating_value"] is None and third["claim_date"] is None


def test_graph_page_keeps_only_the_review_and_follows_id_references():
    [found] = records(fixture("graph-page.json"))
    assert found["url"] == "https://truthwatch.example.com/checks/bridge-cost/"
    assert found["publisher"] == "TruthWatch"  # "author": {"@id": "...#organization"}
    assert found["rating_text"] == "Pants on Fire!" and found["rating_value"] == 0.0
    assert found["language"] == "en" and found["claimant"] == "Anonymous social media post"
    assert found["review_date"] == datetime(2026, 10, 19, 7, 12, tzinfo=UTC)


def test_fact_check_tools_response_gives_one_record_per_review():
    found = records(fixture("factchecktools.json"))
    assert [(r["publisher"], r["rating_text"], r["language"]) for r in found] == [
        ("Harbour Verify", "True", "en"), ("faktencheck.example.de", "Größtenteils richtig", "de"),
        ("Harbour Verify", "Mostly False", "en")]
    assert found[0]["claim_text"] == found[1]["claim_text"] == "Mayor Elena Ruiz said the bridge remains safe for people on foot."
    assert found[0]["claimant"] == "Elena Ruiz" and found[0]["claim_date"] == datetime(2026, 10, 14, tzinfo=UTC)
    assert found[2]["claimant"] == "Northport City Council" and found[2]["claim_date"] is None


@pytest.mark.parametrize("doc,expected", [
    ({"@context": "https://schema.org", "@type": "ClaimReview", "url": "https://a.example/1", "author": "Desk A",
      "claimReviewed": "One claim.", "reviewRating": {"@type": "Rating", "name": "False"}}, ["https://a.example/1"]),
    ([{"@type": "schema:ClaimReview", "url": "https://a.example/2", "author": {"name": "A"}, "claimReviewed": "x",
       "reviewRating": {"alternateName": "True"}},
      {"@type": "https://schema.org/ClaimReview", "url": "https://a.example/3", "publisher": {"name": "B"},
       "claimReviewed": "y", "reviewRating": {"alternateName": "False"}}], ["https://a.example/2", "https://a.example/3"]),
])
def test_single_objects_and_lists(doc, expected):
    assert [r["url"] for r in records(json.dumps(doc).encode())] == expected


# -- importing, and refusing ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,n", [("datafeed.json", 3), ("graph-page.json", 1), ("factchecktools.json", 3)])
def test_import_stores_every_record_with_its_source(session, name, n):
    result = do_import(session, name)
    assert len(result.imported) == n and result.skipped == []
    stored = session.exec(select(PriorFactCheck)).all()
    assert len(stored) == n and {p.source for p in stored} == {name}
    assert all(p.imported_by_id is not None for p in stored)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "priors.import")).one()
    assert event.changes["imported"] == n and event.changes["source"] == name


def bad(records_: list) -> bytes:
    return json.dumps({"@type": "DataFeed", "dataFeedElement": records_}).encode()


GOOD = {"@type": "ClaimReview", "url": "https://a.example/ok", "author": {"name": "A"}, "claimReviewed": "A claim.",
        "reviewRating": {"alternateName": "False"}}


@pytest.mark.parametrize("data,message", [
    (b"{not json", "not JSON (line 1"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (b'"just a string"', "neither ClaimReview JSON-LD"),
    (b'{"hello": "world"}', "neither ClaimReview JSON-LD"),
    (b'{"@graph": {"@type": "ClaimReview"}}', "@graph must be a list"),
    (b'{"@type": "DataFeed", "dataFeedElement": []}', "No ClaimReview records"),
    (b'{"@graph": [{"@type": "WebPage"}]}', "No ClaimReview records"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON this import can read (arrays or objects nested too deeply)"),
    (b'{"n": ' + b"1" * 5000 + b"}", "not JSON this import can read"),
])
def test_files_that_are_not_feeds_are_refused(session, data, message):
    with pytest.raises(PriorImportRefused) as err:
        priors.import_priors(session=session, actor=editor(session), data=data, source="x.json")
    assert message in err.value.message
    assert count(session, PriorFactCheck) == 0


@pytest.mark.parametrize("record,where,reason", [
    ({**GOOD, "url": None}, "dataFeedElement[1]", "missing url"),
    ({k: v for k, v in GOOD.items() if k != "claimReviewed"}, "dataFeedElement[1]", "missing claimReviewed"),
    ({**GOOD, "author": None, "reviewRating": {}}, "dataFeedElement[1]", "missing author.name, reviewRating.alternateName"),
    ({**GOOD, "url": "/relative/path"}, "dataFeedElement[1]", "not an absolute http(s) URL"),
    ({**GOOD, "url": "javascript:alert(1)"}, "dataFeedElement[1]", "not an absolute http(s) URL"),
    ({**GOOD, "url": "https://a.example/2", "datePublished": "last Tuesday"}, "dataFeedElement[1]", "datePublished 'last Tuesday' is not an ISO 8601 date"),
    ({**GOOD, "url": "https://a.example/2", "author": {"name": "x" * 301}}, "dataFeedElement[1]", "longer than 300"),
    ({"@type": "WebPage", "url": "https://a.example/2"}, "dataFeedElement[1]", "is a WebPage, not a ClaimReview"),
    ("a string", "dataFeedElement[1]", "not a ClaimReview"),
    (GOOD, "dataFeedElement[1]", "repeats record dataFeedElement[0]"),
    # valid JSON that used to crash the import instead of refusing the record
    ({**GOOD, "@type": 5}, "dataFeedElement[1]", "is a dict, not a ClaimReview"),
    ({**GOOD, "@type": ["\ud800"]}, "dataFeedElement[1]", "is a \\ud800, not a ClaimReview"),
    ({**GOOD, "url": "https://a.example/2", "author": {"@id": ["x"]}}, "dataFeedElement[1]", "missing author.name"),
    ({**GOOD, "url": "https://a.example/2", "datePublished": "0001-01-01T00:00:00+01:00"}, "dataFeedElement[1]",
     "datePublished '0001-01-01T00:00:00+01:00' is out of range in UTC"),
    ({**GOOD, "url": "https://a.example/2", "datePublished": "9999-12-31T23:00:00-05:00"}, "dataFeedElement[1]",
     "is out of range in UTC"),
    ({**GOOD, "url": "https://a.example/2", "claimReviewed": "\ud800 A claim."}, "dataFeedElement[1]",
     "claimReviewed holds a character that cannot be stored as text"),
    ({**GOOD, "url": "https://a.example/2", "claimReviewed": "A\x00claim."}, "dataFeedElement[1]",
     "claimReviewed holds a character that cannot be stored as text"),
])
def test_one_bad_record_refuses_the_whole_file(session, record, where, reason):
    with pytest.raises(PriorImportRefused) as err:
        priors.import_priors(session=session, actor=editor(session), data=bad([GOOD, record]), source="bad.json")
    [problem] = err.value.problems
    assert problem.record == where and reason in problem.reason, problem
    assert count(session, PriorFactCheck) == 0


def test_an_id_reference_that_is_not_a_string_is_not_followed(session):
    page = {"@graph": [{**GOOD, "author": {"@id": ["x"]}}, {"@id": "x", "name": "X"}]}
    with pytest.raises(PriorImportRefused) as err:
        priors.import_priors(session=session, actor=editor(session), data=json.dumps(page).encode(), source="g.json")
    assert [str(p) for p in err.value.problems] == ["record @graph[0]: missing author.name"]


def test_a_rating_scale_out_of_float_range_is_left_out(session):
    record = {**GOOD, "reviewRating": {"alternateName": "False", "ratingValue": 10 ** 400, "bestRating": 5,
                                       "worstRating": 1}}
    [found] = records(json.dumps(record).encode())
    assert found["rating_value"] is None


def test_fact_check_tools_errors_name_claim_and_review(session):
    doc = {"claims": [{"text": "A claim.", "claimReview": [{"publisher": {"name": "P"}, "url": "https://p.example/1",
                                                             "textualRating": "False"},
                                                            {"publisher": {}, "url": "https://p.example/2"}]},
                      {"text": "No reviews at all."}]}
    with pytest.raises(PriorImportRefused) as err:
        priors.import_priors(session=session, actor=editor(session), data=json.dumps(doc).encode(), source="fct.json")
    assert [str(p) for p in err.value.problems] == [
        "record claims[0].claimReview[1]: missing publisher.name, textualRating",
        "record claims[1]: has no claimReview list"]


def test_rollback_a_file_with_bad_records_imports_nothing(session):
    with pytest.raises(PriorImportRefused) as err:
        do_import(session, "one-bad-record.json")
    assert [(p.record, p.reason.split(" ")[0]) for p in err.value.problems] == [
        ("dataFeedElement[1]", "missing"), ("dataFeedElement[2]", "datePublished")]
    assert count(session, PriorFactCheck) == 0
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "priors.import")).first() is None


def test_a_database_refusal_mid_file_rolls_back_every_record(session, monkeypatch):
    do_import(session, "graph-page.json")
    clash = {**GOOD, "url": "https://truthwatch.example.com/checks/bridge-cost/"}
    monkeypatch.setattr(priors, "_stored_urls", lambda s, urls: {})  # as if another import committed meanwhile
    with pytest.raises(PriorImportRefused, match="another import"):
        priors.import_priors(session=session, actor=editor(session), data=bad([GOOD, clash]), source="race.json")
    assert [p.source for p in session.exec(select(PriorFactCheck))] == ["graph-page.json"]


def test_already_stored_urls_refuse_the_file_unless_skipped(session):
    do_import(session, "factchecktools.json")
    with pytest.raises(PriorImportRefused) as err:
        do_import(session, "factchecktools.json")
    assert len(err.value.problems) == 3
    assert "already stored (from factchecktools.json)" in err.value.problems[0].reason
    again = dict(json.loads(fixture("factchecktools.json")))
    again["claims"].append({"text": "Repairs start in January.", "claimReview": [
        {"publisher": {"name": "Harbour Verify"}, "url": "https://verify.example.net/fact-check/january",
         "textualRating": "True"}]})
    result = priors.import_priors(session=session, actor=editor(session), data=json.dumps(again).encode(),
                                  source="again.json", skip_existing=True)
    assert [p.url for p in result.imported] == ["https://verify.example.net/fact-check/january"]
    assert [s.record for s in result.skipped] == ["claims[0].claimReview[0]", "claims[0].claimReview[1]",
                                                  "claims[1].claimReview[0]"]
    assert count(session, PriorFactCheck) == 4


def test_size_cap_refuses_a_50_mb_file_cleanly(session):
    huge = b"[" + b" " * (50 * 1024 * 1024) + b"]"
    with pytest.raises(PriorImportRefused, match="larger than 20,971,520 bytes"):
        priors.import_priors(session=session, actor=editor(session), data=huge, source="huge.json")
    with pytest.raises(PriorImportRefused, match="larger than 100 bytes"):
        do_import(session, "graph-page.json", max_bytes=100)
    assert count(session, PriorFactCheck) == 0


def test_only_editors_import(session):
    with pytest.raises(priors.NotAllowed):
        do_import(session, "graph-page.json", actor=make_user(session, Role.REVIEWER))


def test_a_batch_of_files_is_one_transaction_per_file(session):
    results = priors.import_prior_files(session=session, actor=editor(session), files=[
        ("datafeed.json", fixture("datafeed.json")), ("one-bad-record.json", fixture("one-bad-record.json")),
        ("graph-page.json", fixture("graph-page.json"))])
    assert [(r.source, bool(r.error), len(r.problems)) for r in results] == [
        ("datafeed.json", False, 0), ("one-bad-record.json", True, 2), ("graph-page.json", False, 0)]
    assert {p.source for p in session.exec(select(PriorFactCheck))} == {"datafeed.json", "graph-page.json"}


# -- matching -----------------------------------------------------------------------------------------

def linked(session, words: str) -> list[str]:
    """The fact-checks (by the last part of their URL) linked to the claim that contains these words."""
    found = []
    for link, prior in session.exec(select(PriorLink, PriorFactCheck).join(PriorFactCheck).order_by(PriorFactCheck.url)):
        if words in session.get(articles.Claim, link.claim_id).text:
            found.append(prior.url.rstrip("/").rsplit("/", 1)[-1])
    return found


def import_courier(session, actor):
    return articles.import_article(session=session, actor=actor, source=articles.ArticleSource(filename="c.txt", data=COURIER),
                                   settings=MatchSettings(suggest=70.0, auto=92.0))


def test_new_article_claims_are_matched_against_priors(session):
    actor = editor(session)
    do_import(session, "datafeed.json", actor=actor)
    do_import(session, "graph-page.json", actor=actor)
    import_courier(session, actor)
    assert linked(session, "14,000 vehicles") == ["bridge-traffic-14000"]
    assert linked(session, "warned about rusting supports") == ["harbour-bridge-warned-2015"]
    assert linked(session, "agreed to cover half") == ["state-pays-half"]
    assert linked(session, "January") == []
    # $2.6M against a $26 million claim: matched, but flagged as differing in a number.
    [costly] = session.exec(select(PriorLink).join(PriorFactCheck).where(PriorFactCheck.publisher == "TruthWatch")).all()
    assert costly.flags == ["number"] and costly.score >= 70
    assert all(link.score >= 70 for link in session.exec(select(PriorLink)))
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "prior.match")).all()
    links = session.exec(select(PriorLink)).all()
    assert sorted((e.object_id, e.claim_id, e.actor_id) for e in events) == \
        sorted((l.id, l.claim_id, actor.id) for l in links)
    # matching the same claims again finds the same pairs and links none twice
    claims = session.exec(select(Claim).where(Claim.id.in_([l.claim_id for l in links]))).all()
    assert priors.match_claims(session=session, actor=actor, claims=claims) == []
    assert count(session, PriorLink) == len(links)


def test_new_priors_are_matched_against_existing_claims(session):
    article = make_article(session, text="Trucks and walkers on the bridge.")
    make_claim(session, article, text="Heavy trucks will be banned from the bridge until the repairs finish.")
    make_claim(session, article, text="Mayor Elena Ruiz said the bridge is still safe for people on foot.")
    make_claim(session, article, text="Repairs start in January.")
    result = do_import(session, "factchecktools.json")
    assert result.links == count(session, PriorLink) == 3
    assert linked(session, "Heavy trucks") == ["truck-ban"]
    assert sorted(linked(session, "safe for people on foot")) == ["bridge-safe-for-pedestrians", "harbour-bridge-fussgaenger"]
    assert linked(session, "January") == []


def test_a_higher_threshold_links_less(session):
    actor = editor(session)
    import_courier(session, actor)
    loose = do_import(session, "datafeed.json", actor=actor, threshold=70).links
    strict = priors.import_priors(session=session, actor=actor, data=fixture("graph-page.json"), source="g", threshold=99.5)
    assert loose >= 3 and strict.links == 0


def test_prior_index_follows_new_priors(session):
    index = claim_index.current_prior_index(session)
    assert len(index) == 0
    do_import(session, "graph-page.json")
    index = claim_index.current_prior_index(session)
    assert len(index) == 1
    [hit] = index.search("bridge repairs will cost $26 million", limit=1)
    assert session.get(PriorFactCheck, hit.claim_id).publisher == "TruthWatch"
    do_import(session, "datafeed.json")
    assert len(claim_index.current_prior_index(session)) == 4
    session.delete(session.exec(select(PriorFactCheck).where(PriorFactCheck.publisher == "TruthWatch")).one())
    session.commit()
    assert len(claim_index.current_prior_index(session)) == 3  # a count that disagrees reloads the index


# -- ratings, the claim page and evidence --------------------------------------------------------------

def test_default_aliases_map_exactly_and_leave_the_rest_as_text(session):
    assert priors.ensure_default_aliases(session) > 10
    assert priors.ensure_default_aliases(session) == 0  # seeded once
    aliases = priors.alias_map(session)
    mapped = {text: (r.name if r else None) for text in ("Half  True", "PANTS ON FIRE!", "Mostly False", "Unproven",
                                                         "Needs context", "Größtenteils richtig", "false-ish")
              for r in [priors.mapped_rating(aliases, text)]}
    assert mapped == {"Half  True": "Half true", "PANTS ON FIRE!": "False", "Mostly False": "Mostly false",
                      "Unproven": "Unverifiable", "Needs context": None, "Größtenteils richtig": None, "false-ish": None}


@pytest.mark.parametrize("name,stance", [
    ("False", Stance.REFUTES), ("Misleading", Stance.REFUTES), ("Mostly false", Stance.REFUTES),
    ("Half true", Stance.CONTEXT), ("Unverifiable", Stance.CONTEXT),
    ("Mostly true", Stance.SUPPORTS), ("True", Stance.SUPPORTS), (None, Stance.CONTEXT),
])
def test_stance_follows_the_end_of_the_scale(session, name, stance):
    assert priors.stance_of(rating(session, name) if name else None, verdicts.scale(session)) == stance


def test_aliases_are_admin_only_folded_and_repointable(session):
    admin = make_user(session, Role.ADMIN)
    with pytest.raises(priors.NotAllowed):
        priors.save_alias(session=session, actor=editor(session), alias="Bogus", rating_id=rating(session).id)
    row = priors.save_alias(session=session, actor=admin, alias="  Four   Pinocchios ", rating_id=rating(session).id)
    assert row.alias == "four pinocchios"
    again = priors.save_alias(session=session, actor=admin, alias="FOUR PINOCCHIOS", rating_id=rating(session, "Mostly false").id)
    assert again.id == row.id and count(session, RatingAlias) == 1
    assert priors.mapped_rating(priors.alias_map(session), "Four Pinocchios").name == "Mostly false"
    with pytest.raises(priors.InvalidInput):
        priors.save_alias(session=session, actor=admin, alias="   ", rating_id=rating(session).id)
    priors.delete_alias(session=session, actor=admin, alias=again)
    assert count(session, RatingAlias) == 0


def matched_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=None):
    claim = make_claim(session, make_article(session, text="The city spends $2.6M on fixing the Harbour Street bridge."),
                       text="The Harbour Street bridge repairs will cost the city $26 million.", status=status,
                       assignee=assignee)
    do_import(session, "graph-page.json")
    prior = session.exec(select(PriorFactCheck)).one()
    assert session.exec(select(PriorLink).where(PriorLink.claim_id == claim.id)).one().prior_id == prior.id
    return claim, prior


def test_checks_for_shows_mapping_and_hides_rejected(session):
    claim, prior = matched_claim(session)
    [check] = priors.checks_for(session, claim)
    assert check.prior.id == prior.id and check.rating is None and check.stance == Stance.CONTEXT  # unmapped
    priors.ensure_default_aliases(session)
    [check] = priors.checks_for(session, claim)
    assert check.rating.name == "False" and check.stance == Stance.REFUTES
    check.link.state = LinkState.REJECTED
    session.add(check.link)
    session.commit()
    assert priors.checks_for(session, claim) == []


def test_attach_prior_as_evidence(session):
    priors.ensure_default_aliases(session)
    reviewer = make_user(session, Role.REVIEWER)
    claim, prior = matched_claim(session, assignee=reviewer)
    with pytest.raises(priors.NotAllowed):
        priors.attach_prior(session=session, actor=make_user(session, Role.REVIEWER), claim=claim, prior=prior)
    item = priors.attach_prior(session=session, actor=reviewer, claim=claim, prior=prior)
    assert (item.url, item.stance, item.claim_id) == (prior.url, Stance.REFUTES, claim.id)
    assert "TruthWatch on 2026-10-19: Pants on Fire! (on this desk's scale: False)" in item.note
    assert session.exec(select(PriorLink).where(PriorLink.claim_id == claim.id)).one().state == LinkState.CONFIRMED
    with pytest.raises(priors.InvalidInput, match="already attached"):
        priors.attach_prior(session=session, actor=reviewer, claim=claim, prior=prior)
    unrelated = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    with pytest.raises(priors.InvalidInput, match="not matched"):
        priors.attach_prior(session=session, actor=reviewer, claim=unrelated, prior=prior)
    assert count(session, Evidence) == 1


def test_queue_filter_has_a_prior_fact_check(session):
    from factcheck import workflow
    claim, _prior = matched_claim(session, status=ClaimStatus.NEW)
    other = make_claim(session, text="Nothing like it has been checked.")
    actor = editor(session)
    assert [c.id for c in workflow.queue(session=session, actor=actor, has_prior=True)] == [claim.id]
    assert {c.id for c in workflow.queue(session=session, actor=actor)} == {claim.id, other.id}


# -- CLI ----------------------------------------------------------------------------------------------

def test_cli_imports_files_and_names_bad_records(runner, session, tmp_path):
    make_user(session, Role.ADMIN)
    paths = [str(FIXTURES / n) for n in ("datafeed.json", "one-bad-record.json", "factchecktools.json")]
    result = runner.invoke(args=["priors", "import", *paths])
    assert result.exit_code == 1
    assert f"{paths[0]}: imported 3, skipped 0" in result.output
    assert f"{paths[1]}: record dataFeedElement[1]: missing url" in result.output
    assert f"{paths[1]}: record dataFeedElement[2]: datePublished 'the second of November' is not an ISO 8601 date" in result.output
    assert "1 of 3 file(s) refused" in result.output
    assert count(session, PriorFactCheck) == 6
    again = runner.invoke(args=["priors", "import", "--skip-existing", paths[0]])
    assert again.exit_code == 0 and "imported 0, skipped 3" in again.output
    assert f"{paths[0]}: skipped record dataFeedElement[0].item[0]: url" in again.output


def test_cli_refuses_a_50_mb_file_without_reading_it_all(runner, session, tmp_path):
    make_user(session, Role.ADMIN)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: cheap to make
    result = runner.invoke(args=["priors", "import", str(huge)])
    assert result.exit_code == 1 and f"{huge}: The file is larger than 20,971,520 bytes" in result.output
    missing = runner.invoke(args=["priors", "import", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "nope.json" in missing.output
    assert count(session, PriorFactCheck) == 0


def test_cli_refuses_malformed_files_and_goes_on_to_the_next(runner, session, tmp_path):
    """Each of these used to end the command with a traceback, before the later files and the summary."""
    make_user(session, Role.ADMIN)
    bad_files = {
        "type.json": json.dumps({**GOOD, "@type": 5}).encode(),
        "graph.json": json.dumps({"@graph": [{**GOOD, "author": {"@id": ["x"]}}]}).encode(),
        "early.json": json.dumps({**GOOD, "datePublished": "0001-01-01T00:00:00+01:00"}).encode(),
        "late.json": json.dumps({**GOOD, "datePublished": "9999-12-31T23:00:00-05:00"}).encode(),
        "surrogate.json": b'{"@type": "ClaimReview", "url": "https://a.example/s", "author": {"name": "A"}, '
                          b'"claimReviewed": "\\ud800 A claim.", "reviewRating": {"alternateName": "False"}}',
        "deep.json": b"[" * 100_000 + b"]" * 100_000,
    }
    paths = []
    for name, data in bad_files.items():
        paths.append(tmp_path / name)
        paths[-1].write_bytes(data)
    good = str(FIXTURES / "datafeed.json")
    result = runner.invoke(args=["priors", "import", *map(str, paths), good])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert f"{paths[0]}: record 0: is a dict, not a ClaimReview" in result.output
    assert f"{paths[1]}: record @graph[0]: missing author.name" in result.output
    assert f"{paths[2]}: record 0: datePublished '0001-01-01T00:00:00+01:00' is out of range in UTC" in result.output
    assert f"{paths[3]}: record 0: datePublished '9999-12-31T23:00:00-05:00' is out of range in UTC" in result.output
    assert f"{paths[4]}: record 0: claimReviewed holds a character that cannot be stored as text" in result.output
    assert f"{paths[5]}: The file is not JSON this import can read (arrays or objects nested too deeply)." \
        in result.output
    assert f"{good}: imported 3, skipped 0" in result.output
    assert "6 of 7 file(s) refused" in result.output
    assert count(session, PriorFactCheck) == 3


def _bound_texts():
    texts = [r["claim_text"] for name in ("datafeed.json", "graph-page.json", "factchecktools.json")
             for r in records(fixture(name))]
    return texts + ["The city spends $2.6M on fixing the corroded Harbour Street bridge.", "", "!!!",
                    "Heavy trucks would be banned from the bridge.",
                    "Fixing the Harbour Street bridge cost the city roughly 2.6 million dollars."]


def test_score_bound_is_score_pair_without_embeddings():
    """The matching filter must never drop a pair that score_pair would link: without
    embeddings it is the same score."""
    from factcheck.matching import score_bound, score_pair
    texts = _bound_texts()
    for a in texts:
        for b in texts:
            assert score_bound(a, b) == pytest.approx(score_pair(a, b).score, abs=0.001), (a, b)


def test_score_bound_holds_when_meaning_lifts_the_score(monkeypatch):
    """With embeddings on, cosine lifts paraphrases above their lexical score; the filter must
    still let every such pair through (a stand-in embedder: every text points the same way)."""
    from factcheck.matching import flags, score_bound, score_pair

    class SameDirection:
        def encode(self, texts):
            return np.full((len(texts), 4), 0.5, dtype=np.float32)

    texts = _bound_texts()
    lexical = {(a, b): score_pair(a, b).score for a in texts for b in texts}
    monkeypatch.setattr(flags, "_vectors", flags._VectorCache())   # stand-in vectors stay here
    monkeypatch.setattr(flags, "_pair_embedder", lambda: SameDirection())
    lifted = 0
    for a, b in lexical:
        full = score_pair(a, b).score
        assert score_bound(a, b) >= full - 0.001, (a, b)
        lifted += full > lexical[a, b] + 1
    assert lifted > 20     # the case under test: pairs the lexical score alone would have dropped


def test_the_parts_of_a_split_claim_are_matched_against_other_desks(session):
    do_import(session, "datafeed.json")
    reviewer = make_user(session)
    both = ("Roughly 14,000 vehicles use the Harbour Street bridge each day, "
            "and the state has agreed to pay for half of it.")
    claim = make_claim(session, make_article(session, text=both), text=both)
    traffic, _state = claims.split_claim(session=session, actor=reviewer, claim=claim, parts=[
        "Roughly 14,000 vehicles use the Harbour Street bridge each day.",
        "The state has agreed to pay for half of the bridge repairs."])
    assert linked(session, "14,000 vehicles use") == ["bridge-traffic-14000"]
    assert linked(session, "agreed to pay for half of the bridge") == ["state-pays-half"]
    events = session.exec(select(AuditEvent).where(AuditEvent.claim_id == traffic.id))
    assert "prior.match" in {e.action for e in events}


def test_a_claim_added_by_hand_is_matched_like_an_extracted_one(session):
    """Against other desks' fact-checks and against other articles' claims alike."""
    do_import(session, "datafeed.json")
    reviewer = make_user(session)
    elsewhere = make_claim(session, make_article(session, outlet="Herald"),
                           text="The state has agreed to pay for half of the bridge repairs, the mayor said.")
    article = make_article(session, text="The story that missed it.", outlet="Courier")
    added = claims.add_claim(session=session, actor=reviewer, article=article,
                             text="The state has agreed to pay for half of the bridge repairs.")
    assert linked(session, "agreed to pay for half of the bridge repairs.") == ["state-pays-half"]
    from factcheck import links
    assert elsewhere.id in {other.id for _l, other in links.links_of(session, added.id)}
