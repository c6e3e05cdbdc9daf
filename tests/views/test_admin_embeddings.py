"""The admin page's embedding status line and the button that starts the background job."""
from __future__ import annotations

from sqlmodel import func, select

from factcheck import claim_vectors
from factcheck.models import ClaimVector, Role
from tests.factories import make_article, make_claim
from tests.test_claim_vectors import FAKE_MODEL, fake  # noqa: F401  (the fixture)


def vectors(session) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(ClaimVector)).one()


def test_admin_starts_the_job_and_sees_the_count(auth, session, fake):  # noqa: F811
    article = make_article(session)
    for n in range(3):
        make_claim(session, article, text=f"Claim {n} about the new tram depot.")
    auth.login(Role.ADMIN)
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "0 of 3 claims embedded" in page and 'id="embed-claims-submit"' in page

    response = auth.post("/admin/embeddings")
    assert response.status_code == 302
    job = claim_vectors.wait_for_job(timeout=20)
    assert job is not None and not job.running and job.error is None and (job.done, job.total) == (3, 3)
    assert vectors(session) == 3
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "3 of 3 claims embedded" in page and FAKE_MODEL in page
    assert 'id="embed-claims-submit"' not in page  # nothing left to embed


def test_only_one_job_runs_per_process(auth, session, fake, monkeypatch):  # noqa: F811
    make_claim(session)
    auth.login(Role.ADMIN)
    monkeypatch.setattr(claim_vectors, "_job", claim_vectors.JobState(running=True, done=1, total=9))
    assert "Embedding now: 1 of 9 done." in auth.client.get("/admin/").get_data(as_text=True)
    response = auth.post("/admin/embeddings", follow_redirects=True)
    assert "already being embedded" in response.get_data(as_text=True)
    assert vectors(session) == 0


def test_the_button_is_for_admins_and_needs_the_csrf_token(auth, session, fake):  # noqa: F811
    make_claim(session)
    auth.login(Role.EDITOR)
    assert auth.post("/admin/embeddings").status_code == 403
    auth.logout()
    auth.login(Role.ADMIN)
    assert auth.client.post("/admin/embeddings", data={}).status_code == 400
    assert claim_vectors._job is None and vectors(session) == 0


def test_the_page_says_when_embeddings_are_off(auth, session):
    make_claim(session)
    auth.login(Role.ADMIN)
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "Embeddings are off" in page and 'id="embed-claims-submit"' not in page
    response = auth.post("/admin/embeddings")
    assert response.status_code == 400 and "Embeddings are off" in response.get_data(as_text=True)


def test_a_job_that_has_not_counted_yet_says_it_is_starting(auth, session, fake, monkeypatch):  # noqa: F811
    make_claim(session)
    auth.login(Role.ADMIN)
    monkeypatch.setattr(claim_vectors, "_job", claim_vectors.JobState(running=True))
    page = auth.client.get("/admin/").get_data(as_text=True)
    assert "Embedding now: starting…" in page and "0 of 0 done" not in page
    monkeypatch.setattr(claim_vectors, "_job", claim_vectors.JobState(running=True, done=0, total=4))
    assert "Embedding now: 0 of 4 done." in auth.client.get("/admin/").get_data(as_text=True)
