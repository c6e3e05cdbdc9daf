"""Claim-status CSV, streamed row by row, with every cell safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlmodel import Session, or_, select

from factcheck import verdicts as verdicts_mod
from factcheck.links import LIVE_STATES
from factcheck.models import Article, Claim, ClaimLink, Rating, User, Verdict
from factcheck.search import Filters, clean_query, filter_claims, query_scores

COLUMNS = ["claim_id", "claim", "speaker", "article_title", "outlet", "article_url", "status", "checkworthiness",
           "verdict", "rationale", "assignee", "signed_off_by", "updated_at", "linked_claim_ids"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# full-width forms, which some spreadsheets read as their ASCII twins when a cell is typed or imported
WIDE_FORMULA_STARTS = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
BATCH = 500
BOM = "\ufeff"


def neutralise(value) -> str:
    """Prefix a quote so spreadsheets show the cell as text instead of running it as a formula."""
    text = "" if value is None else str(value)
    # behind leading spaces too: a spreadsheet may drop them before it decides a cell is a formula
    if text.lstrip(" \u00a0\u3000").startswith(FORMULA_STARTS + WIDE_FORMULA_STARTS):
        return "'" + text
    return text


def _line(row) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow([neutralise(v) for v in row])
    return buf.getvalue()


def claim_rows(session: Session, filters: Filters | None = None, query: str = "") -> Iterator[list]:
    """Rows in id order, read in batches by keyset so memory stays flat however large the desk; with
    a query, only the claims the search page lists for it (the export of "these" results)."""
    filters = filters or Filters()
    query, _ = clean_query(query)
    found = sorted(query_scores(session, query, filters)) if query else None
    if found == []:
        return
    users = {u.id: u.username for u in session.exec(select(User))}
    ratings = {r.id: r.name for r in session.exec(select(Rating))}
    last = 0
    while True:
        stmt = filter_claims(select(Claim, Article).join(Article, Article.id == Claim.article_id), filters)
        if found is not None:
            stmt = stmt.where(Claim.id.in_(found))
        rows = session.exec(stmt.where(Claim.id > last).order_by(Claim.id).limit(BATCH)).all()
        if not rows:
            return
        ids = [c.id for c, _ in rows]
        verdicts = _published_verdicts(session, ids)
        linked = _linked_ids(session, ids)
        for claim, article in rows:
            v = verdicts.get(claim.id)
            yield [claim.id, claim.text, claim.speaker, article.title, article.outlet, article.url, claim.status,
                   claim.checkworthiness, ratings.get(v.rating_id) if v else None, v.rationale if v else None,
                   users.get(claim.assignee_id), users.get(v.signed_off_by_id) if v else None,
                   claim.updated_at.isoformat(timespec="seconds"), " ".join(map(str, sorted(linked.get(claim.id, ()))))]
        last = ids[-1]


def _published_verdicts(session: Session, ids: list[int]) -> dict[int, Verdict]:
    """The published verdict only, as the verdict filter, the search page and the API read it: a
    draft never shows as the claim's verdict, nor beside a sign-off it never had."""
    stmt = select(Verdict).where(Verdict.claim_id.in_(ids), verdicts_mod.is_published())
    return {v.claim_id: v for v in session.exec(stmt)}


def _linked_ids(session: Session, ids: list[int]) -> dict[int, set[int]]:
    stmt = select(ClaimLink).where(or_(ClaimLink.claim_a_id.in_(ids), ClaimLink.claim_b_id.in_(ids)),
                                   ClaimLink.state.in_(LIVE_STATES))
    out: dict[int, set[int]] = {}
    for link in session.exec(stmt):
        out.setdefault(link.claim_a_id, set()).add(link.claim_b_id)
        out.setdefault(link.claim_b_id, set()).add(link.claim_a_id)
    return out


def export_csv(session: Session, filters: Filters | None = None, query: str = "") -> Iterator[str]:
    """The file opens with a UTF-8 byte-order mark: without one, Excel reads a double-clicked CSV in
    the machine's legacy code page and shows "Zoë Müller" as "ZoÃ« MÃ¼ller" (LibreOffice takes it too)."""
    yield BOM + _line(COLUMNS)
    for row in claim_rows(session, filters, query):
        yield _line(row)
