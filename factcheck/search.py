"""Fuzzy search over every claim: index candidates, database filters, best match first."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from rapidfuzz import fuzz
from sqlalchemy import func, or_
from sqlmodel import Session, select

from factcheck import verdicts
from factcheck.claim_index import current_index
from factcheck.errors import InvalidInput
from factcheck.matching.normalise import find_numbers
from factcheck.models import Article, Claim, ClaimStatus, Rating, Verdict

MAX_QUERY = 1000
REVERSED_DATES = "The “from” date is after the “to” date: nothing can fall between them."
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Filters:
    status: str | None = None
    verdict: str | None = None  # rating name of the published verdict
    outlet: str | None = None
    speaker: str | None = None
    article_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    exclude_claim: int | None = None  # "find similar" leaves out the claim it starts from

    def __post_init__(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput(REVERSED_DATES)

    def active(self) -> bool:
        return any(v not in (None, "") for k, v in vars(self).items() if k != "exclude_claim")


@dataclass
class Hit:
    claim: Claim
    article: Article
    score: float | None
    verdict: str | None = None


@dataclass
class SearchPage:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    query: str
    notice: str | None = None
    words: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)   # the values the query names, for highlighting


def clean_query(query: str) -> tuple[str, str | None]:
    """Trim absurd input to something searchable and say what was done."""
    query = " ".join((query or "").split())
    notice = None
    if len(query) > MAX_QUERY:
        query = query[:MAX_QUERY]
        notice = f"Your query was cut to its first {MAX_QUERY:,} characters."
    if query and not WORD.search(query):
        return "", "The query has no letters or digits, so it matches nothing; showing all claims instead."
    return query, notice


def rating_named(name: str):
    """Rating names ignore case and spacing (as the scale and the API's rating field do), so a tool asking
    for verdict=false finds "False" rather than silently nothing. SQLite's lower() folds ASCII only: a
    non-ASCII name still matches as spelt."""
    wanted = " ".join(name.split())
    return or_(Rating.name == wanted, func.lower(Rating.name) == wanted.lower())


def filter_claims(stmt, filters: Filters):
    stmt = stmt.where(Claim.merged_into_id == None)  # noqa: E711
    if filters.status:
        stmt = stmt.where(Claim.status == ClaimStatus(filters.status))
    if filters.outlet:
        stmt = stmt.where(func.lower(Article.outlet) == filters.outlet.strip().lower())
    if filters.speaker:
        stmt = stmt.where(func.lower(Claim.speaker).contains(filters.speaker.strip().lower(), autoescape=True))
    if filters.article_id:
        stmt = stmt.where(Claim.article_id == filters.article_id)
    if filters.exclude_claim:
        stmt = stmt.where(Claim.id != filters.exclude_claim)
    when = func.coalesce(Article.published_at, Article.imported_at)
    if filters.date_from:
        stmt = stmt.where(when >= datetime.combine(filters.date_from, time.min, timezone.utc))
    if filters.date_to:
        stmt = stmt.where(when <= datetime.combine(filters.date_to, time.max, timezone.utc))
    if filters.verdict:
        published = (select(Verdict.claim_id).join(Rating, Rating.id == Verdict.rating_id)
                     .where(verdicts.is_published(), rating_named(filters.verdict)))
        stmt = stmt.where(Claim.id.in_(published))
    return stmt


def search_claims(*, session: Session, query: str = "", filters: Filters | None = None, page: int = 1,
                  page_size: int = 25, candidates: int = 500) -> SearchPage:
    filters = filters or Filters()
    query, notice = clean_query(query)
    page = max(1, page)
    base = select(Claim, Article).join(Article, Article.id == Claim.article_id)
    if not query:
        stmt = filter_claims(base, filters)
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
        rows = session.exec(stmt.order_by(Claim.updated_at.desc(), Claim.id.desc())
                            .offset((page - 1) * page_size).limit(page_size)).all()
        hits = [Hit(c, a, None) for c, a in rows]
    else:
        scores = query_scores(session, query, filters, candidates)
        rows = session.exec(filter_claims(base, filters).where(Claim.id.in_(list(scores)))).all() if scores else []
        ranked = sorted(rows, key=lambda r: (-scores[r[0].id], r[0].id))
        total = len(ranked)
        window = ranked[(page - 1) * page_size: page * page_size]
        hits = [Hit(c, a, round(scores[c.id], 1)) for c, a in window]
    _attach_verdicts(session, hits)
    pages = max(1, -(-total // page_size))
    return SearchPage(hits, total, page, pages, query, notice, WORD.findall(query.lower()),
                      [n.value for n in find_numbers(query)])


def query_scores(session: Session, query: str, filters: Filters, candidates: int = 500) -> dict[int, float]:
    """claim id -> score of the claims a cleaned, non-empty query finds, before the filters: the
    search page ranks these, and the CSV of "these" results exports the same claims."""
    limit = candidates * (4 if filters.active() else 1)
    return {m.claim_id: m.score for m in current_index(session).search(query, limit=limit, mode="fuzzy")}


def _attach_verdicts(session: Session, hits: list[Hit]) -> None:
    names = verdicts.published_ratings(session, [h.claim.id for h in hits])
    for hit in hits:
        hit.verdict = names.get(hit.claim.id)


def highlight(text: str, words: list[str], numbers: list[float] = ()) -> list[tuple[str, bool]]:
    """Split text into (chunk, matched) pieces; a word matches a query word despite small typos, and
    a number mention matches as a whole when its value is one the query names in any form ("$2.6M"
    for "2,600,000"; the digits alone would light up every "2")."""
    if not words and not numbers:
        return [(text, False)]
    marks = [(n.start, n.end) for n in find_numbers(text) if n.value in numbers] if numbers else []
    in_number = lambda start: any(a <= start < b for a, b in marks)  # noqa: E731
    words = [q for q in words if not (numbers and q.isdigit())]
    for m in WORD.finditer(text):
        w = m.group().lower()
        if not in_number(m.start()) and any(
                w == q or (len(q) > 3 and len(w) > 3 and fuzz.ratio(w, q) >= 80) for q in words):
            marks.append(m.span())
    out, last = [], 0
    for start, end in sorted(marks):
        if start < last:
            continue
        out += [(text[last:start], False), (text[start:end], True)]
        last = end
    out.append((text[last:], False))
    return [(t, hit) for t, hit in out if t]


def outlets(session: Session) -> list[str]:
    return [o for o in session.exec(select(Article.outlet).distinct().order_by(Article.outlet)) if o]
