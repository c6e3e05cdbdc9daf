import csv
import io

import pytest

from factcheck.exports.csv import COLUMNS, export_csv, neutralise
from factcheck.models import Role
from tests.factories import make_article, make_claim, make_published_verdict, make_user

PAYLOADS = ["=1+1", "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://evil.example","x")',
            # behind spaces a spreadsheet may trim, and in full-width forms some read as ASCII
            " =1+1", "\u00a0+1", "\u3000@SUM(A1)", "\uff1d1+1", " \uff0bcmd"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_are_neutralised(payload):
    assert neutralise(payload) == "'" + payload


def test_harmless_cells_are_untouched():
    assert neutralise("Plain text, with commas") == "Plain text, with commas"
    assert neutralise(None) == "" and neutralise(3.5) == "3.5"
    assert neutralise("  spaced, plain") == "  spaced, plain" and neutralise("a = b") == "a = b"


def parse(session, **kw):
    text = "".join(export_csv(session, **kw))
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_parses_back_with_every_column(session):
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    article = make_article(session, title="=cmd|' /C calc'!A0", outlet="@outlet")
    claim = make_claim(session, article, text="-The bridge cost $2.6 million.", speaker="+Mayor")
    make_published_verdict(session, claim, reviewer, editor, "Half true")
    rows = parse(session)
    assert list(rows[0]) == COLUMNS and len(rows) == 1
    row = rows[0]
    assert row["claim_id"] == str(claim.id) and row["verdict"] == "Half true"
    assert row["signed_off_by"] == editor.username
    for column in ("claim", "speaker", "article_title", "outlet"):
        assert row[column].startswith("'"), column


def test_every_cell_of_a_hostile_row_is_safe(session):
    make_claim(session, make_article(session, title="@evil", outlet="=evil", url="=evil"), text="=1+2", speaker="-x")
    for row in parse(session):
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)


def test_export_streams_in_batches(session, monkeypatch):
    import factcheck.exports.csv as module
    monkeypatch.setattr(module, "BATCH", 2)
    article = make_article(session)
    ids = [make_claim(session, article, text=f"Claim number {n}.").id for n in range(5)]
    stream = export_csv(session)
    assert next(stream).startswith("\ufeffclaim_id,")
    assert [int(line.split(",")[0]) for line in stream] == ids


def test_the_verdict_columns_show_the_published_verdict_never_a_draft(session):
    """A draft (a reopened claim's new proposal, or a claim's first) is not the claim's verdict: the
    row agrees with the verdict filter, the search page and the API."""
    from factcheck.models import ClaimStatus, Verdict
    from factcheck.search import Filters
    from tests.factories import rating
    reviewer, editor = make_user(session), make_user(session, Role.EDITOR)
    article = make_article(session)
    reopened = make_claim(session, article, text="The bridge cost $2.6 million.")
    make_published_verdict(session, reopened, reviewer, editor, "Half true")
    drafted = make_claim(session, article, text="Tourism fell by five percent.")
    for claim in (reopened, drafted):
        session.add(Verdict(claim_id=claim.id, rating_id=rating(session, "False").id, given_by_id=reviewer.id,
                            rationale="A draft the editor has not signed off."))
        claim.status = ClaimStatus.VERDICT_PROPOSED
        session.add(claim)
    session.commit()
    rows = {int(r["claim_id"]): r for r in parse(session)}
    assert (rows[reopened.id]["verdict"], rows[reopened.id]["rationale"], rows[reopened.id]["signed_off_by"]) == \
        ("Half true", "Records show otherwise.", editor.username)
    assert (rows[drafted.id]["verdict"], rows[drafted.id]["rationale"]) == ("", "")
    assert [r["verdict"] for r in parse(session, filters=Filters(verdict="Half true"))] == ["Half true"]


def test_the_file_opens_with_a_byte_order_mark_so_excel_reads_utf8(session):
    make_claim(session, make_article(session, outlet="Gazette Ünïon"),
               text="Zoë Müller-Łukasiewicz said it cost €2m.", speaker="José Núñez")
    data = "".join(export_csv(session)).encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == COLUMNS
    assert (rows[0]["speaker"], rows[0]["outlet"]) == ("José Núñez", "Gazette Ünïon")
