"""The search page answers odd paging and filters with words, and "find similar" pages like search."""
import re

from factcheck.models import Role
from tests.factories import make_article, make_claim


def bridge_claims(session, n):
    article = make_article(session, outlet="Herald")
    return [make_claim(session, article, text=f"The harbour bridge repairs will cost {k + 2} million dollars.")
            for k in range(n)]


def test_a_bad_page_number_is_explained(session, auth, app):
    bridge_claims(session, 3)
    auth.login(Role.REVIEWER)
    for bad in ("0", "-1", "abc", "100001"):
        answer = auth.client.get(f"/search/?q=bridge&page={bad}")
        assert answer.status_code == 400
        assert 'id="page-error"' in answer.get_data(as_text=True), bad


def test_a_page_past_the_end_says_so_and_links_back(session, auth, app):
    bridge_claims(session, 3)
    auth.login(Role.REVIEWER)
    page = auth.client.get("/search/?q=bridge&page=7").get_data(as_text=True)
    assert 'id="past-last-page"' in page and "No claims match" not in page
    assert "page=1" in page.split('id="past-last-page"')[1].split("</li>")[0]


def test_reversed_dates_are_refused_on_the_page_and_in_the_api(session, auth, app):
    bridge_claims(session, 1)
    auth.login(Role.REVIEWER)
    answer = auth.client.get("/search/?date_from=2025-01-01&date_to=2024-01-01")
    assert answer.status_code == 400 and "after the “to” date" in answer.get_data(as_text=True)
    page = answer.get_data(as_text=True)   # the refused date takes the focus, not the query box
    focused = re.findall(r'<input[^>]*autofocus[^>]*>', page)
    assert len(focused) == 1 and 'id="date_to"' in focused[0]
    assert "autofocus" in auth.client.get("/search/?q=bridge").get_data(as_text=True)
    answer = auth.client.get("/api/v1/search?q=bridge&date_from=2026-05-01&date_to=2026-01-01")
    assert answer.status_code == 400 and "after the “to” date" in answer.get_json()["error"]["message"]


def test_find_similar_pages_and_leaves_out_its_own_claim(session, auth, app):
    app.config["SEARCH_PAGE_SIZE"] = 2
    claims = bridge_claims(session, 4)
    auth.login(Role.REVIEWER)
    ids = []
    for page in (1, 2):
        html = auth.client.get(f"/search/similar/{claims[0].id}?page={page}").get_data(as_text=True)
        assert f"page {page} of 2" in html
        ids += [int(part.split('"')[0]) for part in html.split('href="/claims/')[1:] if part.split('"')[0].isdigit()]
    assert sorted(set(ids)) == sorted(c.id for c in claims[1:])
    assert auth.client.get(f"/search/similar/{claims[0].id}?page=x").status_code == 400


def test_an_articles_claim_count_links_to_just_its_claims(session, auth, app):
    mine = bridge_claims(session, 2)
    bridge_claims(session, 3)  # another article of the same outlet
    auth.login(Role.REVIEWER)
    page = auth.client.get(f"/articles/{mine[0].article_id}").get_data(as_text=True)
    link = page.split('id="article-claims"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    listed = auth.client.get(link).get_data(as_text=True)
    assert "2 claims" in listed and 'id="article-filter"' in listed
    assert "2 claims" in page


def test_export_these_as_csv_exports_the_claims_the_search_lists(session, auth, app):
    import csv
    import html
    import io
    import re
    article = make_article(session, outlet="Herald")
    bridge = make_claim(session, article, text="The harbour bridge cost 2.6 million euros.")
    make_claim(session, article, text="Unemployment fell by 40 percent last year.")
    make_claim(session, article, text="Hospital waiting lists doubled since 2020.")
    auth.login(Role.EDITOR)
    for query, expected in (("harbour bridge", [bridge.id]), ("zzqx wqxv", [])):
        page = auth.client.get("/search/", query_string={"q": query}).get_data(as_text=True)
        link = html.unescape(re.search(r'href="([^"]+)" id="export-filtered"', page).group(1))
        shown = int(re.search(r'id="result-count">(\d+) claim', page).group(1))
        rows = list(csv.DictReader(io.StringIO(auth.client.get(link).get_data(as_text=True).lstrip("\ufeff"))))
        assert [int(r["claim_id"]) for r in rows] == expected and len(rows) == shown, query


def test_export_these_as_csv_on_a_find_similar_page_exports_the_similar_claims(session, auth, app):
    import csv
    import html
    import io
    import re
    claims = bridge_claims(session, 3)
    make_claim(session, text="Hospital waiting lists doubled since 2020.")
    auth.login(Role.EDITOR)
    page = auth.client.get(f"/search/similar/{claims[0].id}").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'<li><span class="score"[^>]*>[^<]*</span> <a href="/claims/(\d+)"', page)}
    assert listed == {c.id for c in claims[1:]}
    link = html.unescape(re.search(r'href="([^"]+)" id="export-filtered"', page).group(1))
    rows = list(csv.DictReader(io.StringIO(auth.client.get(link).get_data(as_text=True).lstrip("\ufeff"))))
    assert {int(r["claim_id"]) for r in rows} == listed  # not every claim on the desk, nor the claim itself
