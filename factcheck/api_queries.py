"""Reads that only the JSON API needs: an id-ordered claim feed and a search over other desks' fact-checks."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from factcheck import claim_index
from factcheck.models import Article, Claim, PriorFactCheck, User
from factcheck.search import Filters, clean_query, filter_claims

MAX_PAGE = 200
MAX_PRIORS = 50


@dataclass
class ClaimPage:
    claims: list[Claim]
    last_id: int | None  # where the next page starts after; None when this page was the last


def list_claims(*, session: Session, actor: User, filters: Filters, mine: bool = False, after: int = 0,
                limit: int = 50) -> ClaimPage:
    """Claims in id order after a given id: a page boundary stays put while claims are added or change."""
    limit = max(1, min(limit, MAX_PAGE))
    stmt = filter_claims(select(Claim).join(Article, Article.id == Claim.article_id), filters)
    if mine:
        stmt = stmt.where(Claim.assignee_id == actor.id)
    rows = list(session.exec(stmt.where(Claim.id > after).order_by(Claim.id).limit(limit + 1)))
    page = rows[:limit]
    return ClaimPage(page, page[-1].id if len(rows) > limit else None)


def search_priors(*, session: Session, query: str, limit: int = MAX_PRIORS) -> list[tuple[PriorFactCheck, float]]:
    """Other desks' fact-checks whose claim reads like the query, best first (the shared prior index)."""
    query, _notice = clean_query(query)
    if not query:
        return []
    hits = claim_index.search_priors(session, query, max(1, min(limit, MAX_PRIORS)))
    rows = {p.id: p for p in session.exec(select(PriorFactCheck).where(PriorFactCheck.id.in_([h.claim_id for h in hits])))}
    return [(rows[h.claim_id], round(h.score, 1)) for h in hits if h.claim_id in rows]
