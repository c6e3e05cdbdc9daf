import csv
import io

import pytest

from factcheck.exports.csv import COLUMNS, export_csv, neutralise
from factcheck.models import Role
from tests.factories import make_article, make_claim, make_published_verdict, make_user

PAYLOADS = ["=1+1", "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://evil.example","x")']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_are_neutralised(payload):
    assert neutralise(payload) == "'" + payload


def test_harmless_cells_are_untouched():
    assert neutralise("Plain text, with commas") == "Plain text, with commas"
    assert neutralise(None) == "" and neutralise(3.5) == "3.5"


def parse(session, **kw):
    return list(csv.DictReader(io.StringIO("".join(export_csv(session, **kw)))))


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
    assert next(stream).startswith("claim_id,")
    assert [int(line.split(",")[0]) for line in stream] == ids
