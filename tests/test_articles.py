import pytest
from sqlmodel import select

from factcheck import articles, claims, evidence, workflow
from factcheck.errors import ImportFailed
from factcheck.models import Article, ClaimStatus, Role
from factcheck.pipeline import ClaimDraft
from tests.factories import make_user

STORY = """Bridge repairs to cost city $2.6 million

The repairs to the Harbour Street bridge will cost the city roughly $2.6 million, the city council said on Tuesday.

The bridge, which opened in 1962, carries about 14,000 vehicles a day, according to the transport department.

Sign up for our newsletter to get the day's news in your inbox.
"""


def import_story(session, actor, **kw):
    return articles.import_article(session=session, actor=actor, source=articles.ArticleSource(text=STORY),
                                   outlet="Herald", **kw)


def test_import_creates_claims_with_valid_spans_and_no_furniture(session):
    reviewer = make_user(session)
    article = import_story(session, reviewer)
    found = articles.claims_of(session, article.id)
    assert found, "no claims extracted"
    for claim in found:
        assert 0 <= claim.start < claim.end <= len(article.text)
        assert "newsletter" not in claim.text.lower()
    assert any("2.6 million" in c.text for c in found)
    assert article.title.startswith("Bridge repairs")


@pytest.mark.parametrize("source,message", [
    (articles.ArticleSource(text="   \n "), "empty"),
    (articles.ArticleSource(filename="a.pdf", data=b"%PDF-1.4 binary"), ".txt"),
    (articles.ArticleSource(filename="a.txt", data=b"\x00\x01\x02 binary"), "binary"),
    (articles.ArticleSource(), "Paste"),
])
def test_bad_sources_are_refused_with_a_reason(session, source, message):
    with pytest.raises(ImportFailed, match=message):
        articles.import_article(session=session, actor=make_user(session), source=source)


@pytest.mark.parametrize("source", [articles.ArticleSource(text="word " * 1000),
                                    articles.ArticleSource(html="<p>The mayor said it cost $2.6 million.</p>" * 100)])
def test_oversized_text_is_refused(session, source):
    """The cap holds for HTML sent in the API's html field as for a paste or an upload."""
    with pytest.raises(ImportFailed, match="larger than 1,000 bytes"):
        articles.import_article(session=session, actor=make_user(session), source=source, max_bytes=1000)
    assert session.exec(select(Article)).first() is None


def test_segments_cover_the_text_exactly(session):
    article = import_story(session, make_user(session))
    segs = articles.segments(article, articles.claims_of(session, article.id))
    assert "".join(s.text for s in segs) == article.text
    assert any(s.claims for s in segs)


def test_reextraction_keeps_reviewer_work(session, monkeypatch):
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    article = import_story(session, reviewer)
    first, *rest = articles.claims_of(session, article.id)
    assert rest, "the story should give at least two claims"
    # a reviewer works on the first claim; the others stay untouched
    claims.edit_claim(session=session, actor=reviewer, claim=first, text=first.text + " (edited)", speaker=first.speaker)
    workflow.assign(session=session, actor=editor, claim=first, assignee=reviewer)
    evidence.add_evidence(session=session, actor=reviewer, claim=first, url="https://a.example/", stance="refutes")
    untouched = rest[0]

    class Upgraded:
        extractor = "spacy"
        boilerplate = []
        claims = [ClaimDraft(text="A brand new claim about the bridge.", speaker=None, start=0, end=10, checkworthiness=0.9)]

    monkeypatch.setattr(articles, "analyse_text", lambda text: Upgraded)
    result = articles.reextract_article(session=session, actor=editor, article=article)
    assert [c.text for c in result.added] == ["A brand new claim about the bridge."]
    assert first.id in [c.id for c in result.protected] and untouched.id in [c.id for c in result.retired]
    session.refresh(first)
    assert first.text.endswith("(edited)") and first.status == ClaimStatus.IN_RESEARCH
    assert len(evidence.evidence_for(session, first.id)) == 1
    session.refresh(untouched)
    assert untouched.status == ClaimStatus.DISMISSED


def test_reextraction_with_the_same_extractor_changes_nothing(session):
    reviewer = make_user(session)
    article = import_story(session, reviewer)
    before = [(c.id, c.text) for c in articles.claims_of(session, article.id)]
    result = articles.reextract_article(session=session, actor=reviewer, article=article)
    assert not result.added and not result.retired
    assert [(c.id, c.text) for c in articles.claims_of(session, article.id)] == before


def test_an_article_whose_url_is_on_the_desk_is_refused_unless_asked_for(session, auth, runner, tmp_path):
    reviewer = make_user(session)
    url = "https://herald.example/2026/bridge"
    first = import_story(session, reviewer, url=url)
    before = len(articles.list_articles(session))
    with pytest.raises(articles.DuplicateArticle, match=f"already imported as #{first.id}") as refused:
        import_story(session, reviewer, url=url)
    assert refused.value.article_id == first.id and refused.value.status == 409
    assert len(articles.list_articles(session)) == before
    again = import_story(session, reviewer, url=url, allow_duplicate=True)
    assert again.id != first.id and len(articles.list_articles(session)) == before + 1
    # the same rule through the API and the command line
    auth.login()
    answer = auth.client.post("/api/v1/articles", json={"text": STORY, "source_url": url},
                              headers={"X-CSRFToken": auth.csrf()})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "duplicate_article"
    path = tmp_path / "story.txt"
    path.write_text(STORY)
    result = runner.invoke(args=["articles", "import", str(path), "--url", url])
    assert result.exit_code != 0 and "already imported" in result.output
    assert runner.invoke(args=["articles", "import", str(path), "--url", url, "--allow-duplicate"]).exit_code == 0


def test_the_import_form_says_where_the_earlier_copy_is(session, auth):
    url = "https://herald.example/2026/bridge"
    first = import_story(session, make_user(session), url=url)
    auth.login()
    answer = auth.post("/articles/import", {"text": STORY, "url": url, "title": "Again"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409 and f"already imported as #{first.id}" in page and 'id="import-again"' in page
    answer = auth.post("/articles/import", {"text": STORY, "url": url, "title": "Again", "again": "y"})
    assert answer.status_code == 302


@pytest.mark.parametrize("typed", ["https://HERALD.example/2026/bridge", "HTTPS://herald.example:443/2026/bridge",
                                   "https://herald.example/2026/bridge#comments"])
def test_the_same_address_written_otherwise_is_the_same_article(session, typed):
    reviewer = make_user(session)
    first = import_story(session, reviewer, url="https://herald.example/2026/bridge")
    with pytest.raises(articles.DuplicateArticle, match=f"#{first.id}"):
        import_story(session, reviewer, url=typed)


@pytest.mark.parametrize("other", ["https://herald.example/2026/Bridge", "https://herald.example/2026/bridge?page=2",
                                   "https://herald.example:8443/2026/bridge", "https://other.example/2026/bridge"])
def test_another_path_query_port_or_host_is_another_article(session, other):
    reviewer = make_user(session)
    import_story(session, reviewer, url="https://herald.example/2026/bridge")
    assert import_story(session, reviewer, url=other).url == other


HYPHENATED = "The health minis\u00adter said the new hos\u00adpital cost 3.2 million euros."


@pytest.mark.parametrize("source", [articles.ArticleSource(text="\ufeff" + HYPHENATED),
                                    articles.ArticleSource(filename="story.txt", data=HYPHENATED.encode())])
def test_invisible_characters_do_not_split_speakers_or_claims(session, source):
    """A byte-order mark left in a paste by a tool, and soft hyphens copied from a hyphenated page."""
    article = articles.import_article(session=session, actor=make_user(session), source=source)
    assert article.text == "The health minister said the new hospital cost 3.2 million euros."
    assert article.title == article.text
    (claim,) = articles.claims_of(session, article.id)
    assert "minister" in claim.speaker and claim.text == "The new hospital cost 3.2 million euros."
    assert article.text[claim.start:claim.end].startswith("The health minister said")
