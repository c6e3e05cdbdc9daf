"""schema.org ClaimReview JSON-LD from signed-off verdicts, as search engines and Fact Check Explorer read it.

Only a signed-off verdict is ever turned into a ClaimReview: a draft never leaves the desk.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlmodel import Session, select

from factcheck import links, verdicts
from factcheck.models import Article, Claim, Rating, Verdict, VerdictState
from factcheck.search import Filters, filter_claims

CONTEXT = "https://schema.org"
MAX_CLAIM_CHARS = 300
MAX_EXPLANATION_CHARS = 500
BATCH = 200
ORG_WORDS = {
    "ministry", "council", "department", "agency", "company", "inc", "party", "government", "committee",
    "commission", "authority", "office", "association", "union", "corporation", "corp", "ltd", "llc", "plc",
    "bureau", "institute", "university", "foundation", "board", "police", "group", "organisation",
    "organization", "federation", "coalition", "campaign", "administration", "parliament", "senate",
    "congress", "court", "bank", "hospital", "service", "trust", "network", "news",
    # the same in the languages desks most often quote (accents kept: names are case-folded only)
    "ministère", "ministerio", "ministério", "ministero", "ministerium", "ministerie", "ministerstwo",
    "gouvernement", "gobierno", "governo", "regierung", "regering", "rząd", "polizei", "policía", "polícia",
    "polizia", "conseil", "consejo", "consiglio", "comisión", "commissione", "kommission",
    "parlement", "parlamento", "bundestag", "assemblée", "asamblea", "tribunal", "gericht", "tribunale",
    "banque", "banco", "université", "universidad", "universität", "universidade", "università", "bundesamt",
    "société", "sociedad", "gmbh", "partido", "parti", "partei", "syndicat",
    "sindicato", "gewerkschaft", "agence", "agencia", "agentur", "instituto", "institut", "istituto",
    "министерство", "правительство", "полиция", "минобороны", "мид", "кремль", "вооружённые", "вооруженные",
}
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])")


@dataclass(frozen=True)
class Site:
    """Who publishes the reviews and where: DESK_NAME, DESK_URL, PUBLIC_BASE_URL."""

    name: str
    url: str
    base_url: str

    @classmethod
    def from_config(cls, config) -> "Site":
        return cls(config["DESK_NAME"], config["DESK_URL"], config["PUBLIC_BASE_URL"])


def iso(value: datetime) -> str:
    """ISO 8601 with an explicit UTC offset (SQLite hands datetimes back without one)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def explanation(rationale: str) -> str:
    """The rationale's first sentence, or two when the first is short: what a search result can show."""
    sentences = SENTENCE_END.split(" ".join((rationale or "").split()))
    text = sentences[0]
    if len(sentences) > 1 and len(text) < 80:
        text = f"{text} {sentences[1]}"
    return shorten(text, MAX_EXPLANATION_CHARS)


def entity(name: str | None) -> dict | None:
    """A speaker as schema.org Person, or Organization when the name carries an organisation word."""
    if not name or not name.strip():
        return None
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", name)}
    return {"@type": "Organization" if words & ORG_WORDS else "Person", "name": name.strip()}


def organisation(name: str | None, url: str | None = None) -> dict | None:
    if not name:
        return None
    out = {"@type": "Organization", "name": name}
    if url:
        out["url"] = url
    return out


def _absolute(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))


def _when(article: Article) -> datetime:
    return article.published_at or article.imported_at


def appearance(article: Article) -> dict:
    work = {"@type": "CreativeWork", "url": article.url, "headline": article.title,
            "datePublished": iso(_when(article))}
    if article.outlet:
        work["publisher"] = organisation(article.outlet)
    return work


def claim_review(session: Session, claim: Claim, site: Site, verdict: Verdict | None = None) -> dict | None:
    """The ClaimReview of a claim's published verdict; None while it has none, and for a claim
    merged into another (that one speaks for both, as in the feed)."""
    if claim.merged_into_id is not None:
        return None
    verdict = verdict or verdicts.published_verdict(session, claim.id)
    if verdict is None or verdict.state != VerdictState.SIGNED_OFF or verdict.signed_off_at is None:
        return None
    rating = session.get(Rating, verdict.rating_id)
    article = session.get(Article, claim.article_id)
    item = {"@type": "Claim"}
    author = entity(claim.speaker) or organisation(article.outlet)
    if author:
        item["author"] = author
    seen, works, first = set(), [], _when(article)
    for other in links.cluster_of(session, claim):
        art = article if other.article_id == article.id else session.get(Article, other.article_id)
        first = min(first, _when(art), key=iso)
        if _absolute(art.url) and art.url not in seen:
            seen.add(art.url)
            works.append((_when(art), art.id, appearance(art)))
    # the claim's date is when it entered public discourse (Google's reading): its earliest
    # confirmed appearance, with or without an address, not the date of the article reviewed
    item["datePublished"] = iso(first)
    works.sort(key=lambda w: (iso(w[0]), w[1]))
    if works:
        item["appearance"] = [w[2] for w in works]
        item["firstAppearance"] = works[0][2]
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": f"{site.base_url}#claim-{claim.id}",
        "claimReviewed": shorten(claim.text, MAX_CLAIM_CHARS),
        "datePublished": iso(verdict.signed_off_at),
        "author": organisation(site.name, site.url),
        "reviewRating": review_rating(rating, verdicts.scale(session), verdict.rationale),
        "itemReviewed": item,
    }


def review_rating(rating: Rating, scale: list[Rating], rationale: str) -> dict:
    """The schema.org Rating: numbers only for a conclusive rating, placed on the conclusive ratings alone.

    Values of 0 or below mean "no conclusion" (Unverifiable; see priors.stance_of). Inside the range
    they would read as "more false than False", so they are left out of it and exported by name only.
    """
    out = {"@type": "Rating", "alternateName": rating.name}
    if rating.value > 0:
        values = [r.value for r in scale if r.value > 0] + [rating.value]  # an inactive rating stays in range
        out.update(ratingValue=number(rating.value), bestRating=number(max(values)),
                   worstRating=number(min(values)))
    out["ratingExplanation"] = explanation(rationale)
    return out


def _published_claims(filters: Filters | None):
    published = select(Verdict.claim_id).where(Verdict.state == VerdictState.SIGNED_OFF)
    stmt = select(Claim).join(Article, Article.id == Claim.article_id)
    return filter_claims(stmt, filters or Filters()).where(Claim.id.in_(published)).order_by(Claim.id)


def review_page(session: Session, site: Site, page: int = 1, page_size: int = 100,
                filters: Filters | None = None) -> tuple[list[dict], bool]:
    """One page of reviews in claim id order, and whether another page follows."""
    claims = session.exec(_published_claims(filters).offset((max(page, 1) - 1) * page_size).limit(page_size + 1)).all()
    reviews = [r for r in (claim_review(session, c, site) for c in claims[:page_size]) if r is not None]
    return reviews, len(claims) > page_size


def all_reviews(session: Session, site: Site, filters: Filters | None = None) -> Iterator[dict]:
    """Every review, read in batches by keyset so a large desk is not held in memory at once."""
    last = 0
    while True:
        claims = session.exec(_published_claims(filters).where(Claim.id > last).limit(BATCH)).all()
        if not claims:
            return
        for claim in claims:
            review = claim_review(session, claim, site)
            if review is not None:
                yield review
        last = claims[-1].id


def data_feed(reviews: list[dict], next_url: str | None = None) -> dict:
    feed = {"@context": CONTEXT, "@type": "DataFeed", "dataFeedElement": reviews}
    if next_url:
        feed["nextPage"] = next_url
    return feed


def dumps_ld(obj, indent: int | None = None) -> str:
    """JSON with <, > and & escaped, so it stays inert even when pasted into an HTML page."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
