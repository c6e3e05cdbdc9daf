"""Plain-dict shapes of the desk's objects, shared by the JSON API and the CLI's jsonl output."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from factcheck import links, verdicts
from factcheck.models import Article, Claim, Evidence, PriorFactCheck, PriorLink, Rating, User, Verdict


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def plain(value):
    """Enums stored as strings come back as str subclasses; JSON wants their value."""
    return getattr(value, "value", value)


def claim_record(session: Session, claim: Claim, *, verdict: str | None = None, assignee: str | None = None,
                 looked_up: bool = False) -> dict:
    """One claim; `verdict` is the published rating name only, never a draft."""
    if not looked_up:
        published = verdicts.published_verdict(session, claim.id)
        verdict = verdicts.rating_name(session, published) if published else None
        user = session.get(User, claim.assignee_id) if claim.assignee_id else None
        assignee = user.username if user else None
    return {
        "id": claim.id, "article_id": claim.article_id, "text": claim.text, "speaker": claim.speaker,
        "start": claim.start, "end": claim.end, "status": plain(claim.status),
        "checkworthiness": claim.checkworthiness, "verdict": verdict, "assignee": assignee,
        "version": claim.version, "updated_at": iso(claim.updated_at),
        "links": [link_record(link, other) for link, other in links.links_of(session, claim.id)],
    }


def claim_records(session: Session, claims: list[Claim]) -> list[dict]:
    """Many claims with their published ratings and assignees fetched in two queries, not 2n."""
    names = verdicts.published_ratings(session, [c.id for c in claims])
    user_ids = {c.assignee_id for c in claims if c.assignee_id}
    people = dict(session.exec(select(User.id, User.username).where(User.id.in_(user_ids))).all()) if user_ids else {}
    return [claim_record(session, c, verdict=names.get(c.id), assignee=people.get(c.assignee_id), looked_up=True)
            for c in claims]


def link_record(link, other: Claim) -> dict:
    return {"claim_id": other.id, "score": link.score, "state": plain(link.state), "flags": link.flags}


def article_record(article: Article) -> dict:
    return {"id": article.id, "title": article.title, "outlet": article.outlet, "url": article.url,
            "author": article.author, "published_at": iso(article.published_at), "source_kind": article.source_kind,
            "extractor": article.extractor, "imported_at": iso(article.imported_at), "text": article.text}


def evidence_record(item: Evidence, users: dict[int, str]) -> dict:
    return {"id": item.id, "url": item.url, "quote": item.quote, "stance": plain(item.stance), "note": item.note,
            "added_by": users.get(item.added_by_id), "added_at": iso(item.added_at)}


def verdict_record(verdict: Verdict, ratings: dict[int, Rating], users: dict[int, str]) -> dict:
    rating = ratings.get(verdict.rating_id)
    return {"id": verdict.id, "rating": rating.name if rating else None, "rating_id": verdict.rating_id,
            "rationale": verdict.rationale, "state": plain(verdict.state),
            "given_by": users.get(verdict.given_by_id), "given_at": iso(verdict.given_at),
            "signed_off_by": users.get(verdict.signed_off_by_id), "signed_off_at": iso(verdict.signed_off_at),
            "sent_back_reason": verdict.sent_back_reason, "reused_from_id": verdict.reused_from_id}


def prior_record(prior: PriorFactCheck, link: PriorLink | None = None, score: float | None = None,
                 rating: Rating | None = None) -> dict:
    record = {"id": prior.id, "url": prior.url, "publisher": prior.publisher, "claim_text": prior.claim_text,
              "claimant": prior.claimant, "claim_date": iso(prior.claim_date), "rating_text": prior.rating_text,
              "rating_value": prior.rating_value, "review_date": iso(prior.review_date), "language": prior.language}
    if link is not None:
        record.update(score=link.score, state=plain(link.state), flags=link.flags,
                      desk_rating=rating.name if rating else None)
    elif score is not None:
        record["score"] = score
    return record


def verdict_json(session: Session, verdict: Verdict) -> dict:
    """A single verdict the caller has just written, so they may read it."""
    ratings = {r.id: r for r in session.exec(select(Rating).where(Rating.id == verdict.rating_id))}
    ids = {verdict.given_by_id, verdict.signed_off_by_id} - {None}
    names = dict(session.exec(select(User.id, User.username).where(User.id.in_(ids))).all())
    return verdict_record(verdict, ratings, names)


def claim_detail(session: Session, d, priors: list) -> dict:
    """The claim page as JSON, from a dossier (so draft verdicts are already filtered for the caller)."""
    record = claim_record(session, d.claim)
    record.update(
        article={"id": d.article.id, "title": d.article.title, "outlet": d.article.outlet, "url": d.article.url},
        evidence=[evidence_record(e, d.users) for e in d.evidence],
        verdicts=[verdict_record(v, d.ratings, d.users) for v in d.verdicts],
        current_verdict=verdict_record(d.current, d.ratings, d.users) if d.current else None,
        linked_verdicts=[{"claim_id": p.claim.id, "verdict_id": p.verdict.id, "rating": p.rating,
                          "signed_off_by": p.signed_off_by} for p in d.priors],
        prior_fact_checks=[prior_record(p.prior, p.link, rating=p.rating) for p in priors],
    )
    return record


def search_page(session: Session, page) -> dict:
    records = claim_records(session, [h.claim for h in page.hits])
    for record, hit in zip(records, page.hits):
        record["score"] = hit.score
    return {"items": records, "total": page.total, "page": page.page, "pages": page.pages, "query": page.query,
            "notice": page.notice}
