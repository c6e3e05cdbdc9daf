"""The priors pages: upload, rating aliases, the claim page's prior checks, one-click evidence, the queue filter."""
from __future__ import annotations

import io
import json
from pathlib import Path

from sqlmodel import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from factcheck import priors
from factcheck.models import ClaimStatus, Evidence, PriorFactCheck, RatingAlias, Role, Stance
from tests.factories import make_article, make_claim, rating

FIXTURES = Path(__file__).parent.parent / "fixtures" / "priors"


def upload(auth, *names, data=None, **fields):
    """A multipart POST built in memory (the test client would spool a large body to an unclosed temp file)."""
    files = [FileStorage(io.BytesIO(data if data is not None else (FIXTURES / n).read_bytes()), filename=n,
                         content_type="application/json") for n in names]
    boundary, body = encode_multipart(MultiDict([("csrf_token", auth.csrf()), *fields.items()] + [("files", f) for f in files]))
    return auth.client.post("/priors/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def seen(session):
    """End the test session's read snapshot so it sees what the app committed meanwhile."""
    session.commit()
    return session


def stored(session) -> int:
    return seen(session).exec(select(func.count()).select_from(PriorFactCheck)).one()


def test_editor_uploads_the_three_shapes(auth, session):
    auth.login(Role.EDITOR)
    assert auth.client.get("/priors/import").status_code == 200
    response = upload(auth, "datafeed.json", "graph-page.json", "factchecktools.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "datafeed.json</strong>: imported 3, skipped 0" in page
    assert "graph-page.json</strong>: imported 1, skipped 0" in page
    assert "factchecktools.json</strong>: imported 3, skipped 0" in page
    assert stored(session) == 7
    listing = auth.client.get("/priors/").get_data(as_text=True)
    assert "TruthWatch" in listing and "Coastal Checkers" in listing and "Größtenteils richtig" in listing


def test_malformed_uploads_are_refused_with_a_reason_not_a_server_error(auth, session):
    auth.login(Role.EDITOR)
    surrogate = (b'{"@type": ["ClaimReview", "\\ud800"], "url": "https://a.example/s", "author": {"name": "A"}, '
                 b'"claimReviewed": "\\ud800 A claim.", "reviewRating": {"alternateName": "False"}}')
    response = upload(auth, "surrogate.json", data=surrogate)
    assert response.status_code == 400
    assert "record 0: claimReviewed holds a character that cannot be stored as text" in response.get_data(as_text=True)
    response = upload(auth, "deep.json", data=b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)
    assert stored(session) == 0


def test_a_bad_file_is_refused_whole_with_each_reason(auth, session):
    auth.login(Role.EDITOR)
    response = upload(auth, "one-bad-record.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Refused, nothing imported: 2 bad record(s)." in page
    assert "record dataFeedElement[1]: missing url" in page
    assert "record dataFeedElement[2]: datePublished" in page
    assert stored(session) == 0


def test_hostile_text_in_a_feed_is_escaped(auth, session):
    doc = {"@type": "ClaimReview", "url": "https://evil.example/x", "author": {"name": "<script>alert(1)</script>"},
           "claimReviewed": "<img src=x onerror=alert(2)>", "reviewRating": {"alternateName": "<b>False</b>"}}
    auth.login(Role.EDITOR)
    assert upload(auth, "evil.json", data=json.dumps(doc).encode()).status_code == 200
    listing = auth.client.get("/priors/").get_data(as_text=True)
    assert "<script>alert(1)" not in listing and "<img src=x" not in listing
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_upload_without_a_file_or_not_json(auth, session):
    auth.login(Role.EDITOR)
    response = auth.post("/priors/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose at least one JSON file" in response.get_data(as_text=True)
    response = upload(auth, "notes.json", data=b"these are not JSON")
    assert response.status_code == 400 and "not JSON" in response.get_data(as_text=True)


def test_uploads_over_the_app_cap_but_under_the_prior_cap_get_through(auth, session, app):
    doc = json.loads((FIXTURES / "graph-page.json").read_bytes())
    doc["@graph"][2]["description"] = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    auth.login(Role.EDITOR)
    response = upload(auth, "big.json", data=json.dumps(doc).encode())
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert stored(session) == 1


def test_a_50_mb_upload_is_refused_cleanly(auth, session):
    auth.login(Role.EDITOR)
    response = upload(auth, "huge.json", data=b" " * (50 * 1024 * 1024))
    assert response.status_code == 413
    assert "error-message" in response.get_data(as_text=True)
    assert stored(session) == 0
    assert auth.client.get("/priors/").status_code == 200  # the desk carries on


def test_a_reviewer_cannot_upload(auth, session):
    auth.login(Role.REVIEWER)
    assert upload(auth, "graph-page.json").status_code == 403
    assert stored(session) == 0


def test_admin_maps_a_rating_and_the_claim_page_shows_it(auth, session, client):
    claim = make_claim(session, make_article(session), text="The Harbour Street bridge repairs will cost the city $26 million.")
    priors.import_priors(session=session, actor=auth.user(Role.EDITOR), data=(FIXTURES / "graph-page.json").read_bytes(),
                         source="graph-page.json")
    auth.login(Role.ADMIN)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert 'id="prior-checks"' in page
    assert "checked by <a href=\"https://truthwatch.example.com/checks/bridge-cost/\"" in page
    assert "on 2026-10-19: <strong class=\"prior-rating\">Pants on Fire!</strong>" in page
    assert "on our scale" not in page  # unmapped: shown as text, never guessed
    response = auth.post("/priors/aliases", {"alias": "Pants on  FIRE!", "rating": rating(session, "False").id})
    assert response.status_code == 302
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "(on our scale: False)" in page
    alias = seen(session).exec(select(RatingAlias)).one()
    assert alias.alias == "pants on fire!"
    assert auth.post(f"/priors/aliases/{alias.id}/delete").status_code == 302
    assert seen(session).exec(select(RatingAlias)).first() is None


def test_alias_form_refuses_bad_input(auth, session):
    auth.login(Role.ADMIN)
    assert auth.post("/priors/aliases", {"alias": "", "rating": rating(session).id}).status_code == 400
    assert auth.post("/priors/aliases", {"alias": "bogus", "rating": 99999}).status_code == 400
    answer = auth.post("/priors/aliases", {"alias": "x" * 301, "rating": rating(session).id})
    page = answer.get_data(as_text=True)
    # the page again, not the generic error page: the typed alias kept, the reason beside the field
    assert answer.status_code == 400 and 'id="alias-submit"' in page and "x" * 301 in page and 'aria-invalid="true"' in page
    assert seen(session).exec(select(RatingAlias)).first() is None


def test_one_click_attach_as_evidence(auth, session, client):
    priors.ensure_default_aliases(session)
    reviewer = auth.user(Role.REVIEWER)
    claim = make_claim(session, make_article(session), text="The Harbour Street bridge repairs will cost the city $26 million.",
                       status=ClaimStatus.IN_RESEARCH, assignee=reviewer)
    priors.import_priors(session=session, actor=auth.user(Role.EDITOR), data=(FIXTURES / "graph-page.json").read_bytes(),
                         source="graph-page.json")
    prior = session.exec(select(PriorFactCheck)).one()
    auth.login(Role.REVIEWER)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f'id="attach-prior-{prior.id}"' in page and "Attach as evidence (refutes)" in page
    response = auth.post(f"/priors/{prior.id}/claims/{claim.id}/evidence")
    assert response.status_code == 302
    item = seen(session).exec(select(Evidence)).one()
    assert (item.url, item.stance) == (prior.url, Stance.REFUTES)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "attached as evidence (refutes)." in page  # the flash reads as words, not an enum
    assert f'id="attach-prior-{prior.id}"' not in page  # attached once
    assert auth.post(f"/priors/{prior.id}/claims/{claim.id}/evidence").status_code == 400


def test_attach_needs_research_rights(auth, session, client):
    claim = make_claim(session, make_article(session), text="The Harbour Street bridge repairs will cost the city $26 million.",
                       status=ClaimStatus.IN_RESEARCH, assignee=auth.user(Role.REVIEWER, "owner"))
    priors.import_priors(session=session, actor=auth.user(Role.EDITOR), data=(FIXTURES / "graph-page.json").read_bytes(),
                         source="graph-page.json")
    prior = session.exec(select(PriorFactCheck)).one()
    auth.login(Role.REVIEWER, "bystander")
    assert "attach-prior-" not in client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert auth.post(f"/priors/{prior.id}/claims/{claim.id}/evidence").status_code == 403
    assert seen(session).exec(select(Evidence)).first() is None


def test_queue_filter_shows_claims_with_a_prior_check(auth, session, client):
    checked = make_claim(session, make_article(session), text="The Harbour Street bridge repairs will cost the city $26 million.")
    unchecked = make_claim(session, make_article(session), text="Nobody has looked at this one yet.")
    priors.import_priors(session=session, actor=auth.user(Role.EDITOR), data=(FIXTURES / "graph-page.json").read_bytes(),
                         source="graph-page.json")
    auth.login(Role.REVIEWER)
    page = client.get("/claims/?prior=1").get_data(as_text=True)
    assert f'id="row-{checked.id}"' in page and f'id="row-{unchecked.id}"' not in page
    assert 'id="filter-prior" aria-current="page"' in page
    everything = client.get("/claims/").get_data(as_text=True)
    assert f'id="row-{checked.id}"' in everything and f'id="row-{unchecked.id}"' in everything


def test_a_wrong_match_with_another_desks_check_can_be_rejected_for_good(auth, session, client):
    from factcheck import workflow
    reviewer = auth.user(Role.REVIEWER)
    claim = make_claim(session, make_article(session), text="The Harbour Street bridge repairs will cost the city $26 million.")
    priors.import_priors(session=session, actor=auth.user(Role.EDITOR), data=(FIXTURES / "graph-page.json").read_bytes(),
                         source="graph-page.json")
    prior = session.exec(select(PriorFactCheck)).one()
    assert [c.id for c in workflow.queue(session=session, actor=reviewer, has_prior=True)] == [claim.id]
    auth.login(Role.REVIEWER)
    assert f'id="reject-prior-{prior.id}"' in client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert auth.post(f"/priors/{prior.id}/claims/{claim.id}/reject").status_code == 302
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert f'id="prior-check-{prior.id}"' not in page and "no longer matched" in page
    assert workflow.queue(session=seen(session), actor=reviewer, has_prior=True) == []
    priors.match_claims(session=session, actor=reviewer, claims=[claim], threshold=50)   # matching again
    session.commit()
    assert priors.checks_for(session, claim) == []
    assert auth.post(f"/priors/{prior.id}/claims/{claim.id}/reject").status_code == 400
