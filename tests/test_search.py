from datetime import datetime, timezone

from factcheck import search
from factcheck.claim_index import current_index
from factcheck.models import ClaimStatus, Role
from tests.factories import make_article, make_claim, make_published_verdict, make_user


def seed(session):
    herald = make_article(session, outlet="Herald", published_at=datetime(2026, 10, 14, tzinfo=timezone.utc))
    courier = make_article(session, outlet="Courier", published_at=datetime(2026, 11, 2, tzinfo=timezone.utc))
    a = make_claim(session, herald, text="Bashar al-Assad fled Damascus after the rebel offensive.", speaker="Reuters")
    b = make_claim(session, courier, text="The harbour bridge repairs will cost $2.6 million.", speaker="Mayor Elena Ruiz",
                   status=ClaimStatus.TRIAGED)
    c = make_claim(session, courier, text="Unemployment fell to 4.1 percent in September.")
    return a, b, c


def test_misspelt_query_finds_the_claim_first(session):
    a, _, _ = seed(session)
    page = search.search_claims(session=session, query="Asad fleed Damscus")
    assert page.hits and page.hits[0].claim.id == a.id
    assert all(h.score < page.hits[0].score for h in page.hits[1:])


def test_filters_narrow_results(session):
    a, b, c = seed(session)
    assert [h.claim.id for h in search.search_claims(session=session, filters=search.Filters(outlet="courier")).hits] \
        in ([c.id, b.id], [b.id, c.id])
    assert [h.claim.id for h in search.search_claims(session=session, filters=search.Filters(status="triaged")).hits] == [b.id]
    assert [h.claim.id for h in search.search_claims(session=session, filters=search.Filters(speaker="ruiz")).hits] == [b.id]
    dated = search.Filters(date_to=datetime(2026, 10, 31).date())
    assert [h.claim.id for h in search.search_claims(session=session, filters=dated).hits] == [a.id]


def test_verdict_filter_and_shown_verdict(session):
    a, b, _ = seed(session)
    make_published_verdict(session, b, make_user(session), make_user(session, Role.EDITOR), "Mostly true")
    page = search.search_claims(session=session, query="bridge repairs", filters=search.Filters(verdict="Mostly true"))
    assert [(h.claim.id, h.verdict) for h in page.hits] == [(b.id, "Mostly true")]


def test_verdict_filter_ignores_case_and_spacing_like_rating_names(session):
    """Rating names are unique ignoring case, so "mostly  TRUE" can only mean "Mostly true"."""
    a, b, _ = seed(session)
    make_published_verdict(session, b, make_user(session), make_user(session, Role.EDITOR), "Mostly true")
    for asked in ("Mostly true", "mostly true", "MOSTLY TRUE", " mostly   True "):
        assert [h.claim.id for h in search.search_claims(session=session, filters=search.Filters(verdict=asked)).hits] \
            == [b.id], asked
    assert search.search_claims(session=session, filters=search.Filters(verdict="mostly")).hits == []


def test_verdict_filter_ignores_superseded_verdicts(session):
    """A claim reopened and signed off again carries only its new rating (filter, shown verdict, CSV)."""
    from datetime import timedelta
    from factcheck.exports import csv as csv_export
    _, b, _ = seed(session)
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    old = make_published_verdict(session, b, reviewer, editor, "Mostly true")
    new = make_published_verdict(session, b, reviewer, editor, "False")
    new.signed_off_at = old.signed_off_at + timedelta(hours=1)
    session.add(new)
    session.commit()
    by = lambda name: search.search_claims(session=session, filters=search.Filters(verdict=name)).hits  # noqa: E731
    assert by("Mostly true") == []
    assert [(h.claim.id, h.verdict) for h in by("False")] == [(b.id, "False")]
    assert search.search_claims(session=session, query="bridge repairs",
                                filters=search.Filters(verdict="Mostly true")).total == 0
    assert list(csv_export.claim_rows(session, search.Filters(verdict="Mostly true"))) == []


def test_like_wildcards_are_literal(session):
    seed(session)
    assert search.search_claims(session=session, filters=search.Filters(speaker="%")).total == 0
    assert search.search_claims(session=session, filters=search.Filters(speaker="_")).total == 0


def test_absurd_queries_get_an_answer(session):
    seed(session)
    page = search.search_claims(session=session, query="?!.,;:")
    assert page.notice and "no letters" in page.notice and page.total == 3
    page = search.search_claims(session=session, query="bridge " * 2000)
    assert page.notice and "cut" in page.notice


def test_edit_reaches_the_index_through_the_change_log(session):
    from factcheck import claims
    a, _, _ = seed(session)
    current_index(session)
    editor = make_user(session, Role.EDITOR)
    claims.edit_claim(session=session, actor=editor, claim=a, text="The zoo welcomed three penguin chicks.", speaker=None)
    hits = search.search_claims(session=session, query="penguin chicks zoo").hits
    assert hits and hits[0].claim.id == a.id
    assert all(h.claim.id != a.id for h in search.search_claims(session=session, query="Assad fled Damascus").hits)


def test_highlight_marks_fuzzy_word_matches():
    pieces = search.highlight("Assad fled Damascus.", ["damscus", "fled"])
    assert [t for t, hit in pieces if hit] == ["fled", "Damascus"]
    assert "".join(t for t, _ in pieces) == "Assad fled Damascus."


def test_words_of_other_scripts_are_searchable(session):
    seed(session)
    ru = make_claim(session, make_article(session, outlet="Vedomosti"), text="Инфляция выросла до 4,2 процента в марте.")
    ar = make_claim(session, make_article(session, outlet="Al Ahram"), text="ارتفع التضخم إلى 4.2 في المئة في مارس.")
    assert search.search_claims(session=session, query="инфляция").hits[0].claim.id == ru.id
    assert search.search_claims(session=session, query="Инфляция выросла").hits[0].claim.id == ru.id
    assert search.search_claims(session=session, query="مارس").hits[0].claim.id == ar.id


def test_a_number_highlights_as_a_whole_in_whatever_form_it_is_written(session):
    seed(session)
    page = search.search_claims(session=session, query="2,600,000")
    hit = next(h for h in page.hits if "2.6 million" in h.claim.text)
    marked = [chunk for chunk, on in search.highlight(hit.claim.text, page.words, page.numbers) if on]
    assert marked == ["$2.6 million"]        # not the lone "2" of "2.6"
    assert [c for c, on in search.highlight("Roads: 2 lanes, 2.6M dollars", page.words, page.numbers) if on] == ["2.6M"]
