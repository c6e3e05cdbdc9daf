"""Evidence a reviewer gathers for a claim: a source URL, a quote and its stance."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlmodel import Session, select

from factcheck import audit
from factcheck.errors import InvalidInput, NotAllowed
from factcheck.models import Claim, Evidence, Stance, User
from factcheck.permissions import can_remove_evidence, can_research
from factcheck.workflow import refuse_merged


def clean_url(url: str) -> str:
    """Only absolute http(s) links: anything else is unclickable or a javascript: trap."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise InvalidInput("The URL is longer than 2,000 characters.", field="url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise InvalidInput("Evidence needs an absolute http:// or https:// URL.", field="url")
    return url


def add_evidence(*, session: Session, actor: User, claim: Claim, url: str, stance: Stance | str,
                 quote: str = "", note: str = "") -> Evidence:
    refuse_merged(claim)
    if not can_research(actor, claim):
        raise NotAllowed("Evidence is added by the claim's assignee (or an editor) while it is in research.")
    try:
        stance = Stance(stance)
    except ValueError:
        raise InvalidInput("Stance must be supports, refutes or context.") from None
    if len(quote) > 10_000 or len(note) > 10_000:
        raise InvalidInput("Quote and note are at most 10,000 characters each.")
    url, quote, note = clean_url(url), quote.strip(), note.strip()
    same = session.exec(select(Evidence).where(Evidence.claim_id == claim.id, Evidence.url == url,
                                               Evidence.quote == quote, Evidence.stance == stance,
                                               Evidence.note == note)).first()
    if same is not None:
        # the same item again (a form sent twice, a retried API call) is the one already there
        session.commit()
        return same
    item = Evidence(claim_id=claim.id, url=url, quote=quote, stance=stance, note=note, added_by_id=actor.id)
    session.add(item)
    session.flush()
    audit.record(session, actor, "evidence.add", item,
                 {"url": item.url, "stance": stance.value, "quote": item.quote, "note": item.note})
    session.commit()
    return item


def remove_evidence(*, session: Session, actor: User, claim: Claim, item: Evidence) -> None:
    if item.claim_id != claim.id:
        raise InvalidInput("That evidence belongs to another claim.")
    if not can_remove_evidence(actor, claim, item):
        raise NotAllowed("Only its author or an editor can remove evidence while the claim is in research.")
    audit.record(session, actor, "evidence.remove", item, {"url": item.url, "stance": item.stance})
    session.delete(item)
    session.commit()


def evidence_for(session: Session, claim_id: int) -> list[Evidence]:
    return list(session.exec(select(Evidence).where(Evidence.claim_id == claim_id).order_by(Evidence.added_at, Evidence.id)))
