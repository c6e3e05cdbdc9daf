"""Everything the claim page shows, gathered in one read so the view stays thin."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from factcheck import audit, evidence, links, priors as other_desks, verdicts
from factcheck.exports import claimreview
from factcheck.models import Article, AuditEvent, Claim, ClaimLink, Evidence, Rating, User, Verdict, VerdictState
from factcheck.permissions import can_see_draft


@dataclass
class Prior:
    claim: Claim
    article: Article
    verdict: Verdict
    rating: str
    signed_off_by: str | None
    link: ClaimLink | None           # None: joined through other claims of the confirmed cluster

    @property
    def same_claim(self) -> bool:
        """Only confirmed links say the verdict is this claim's; a suggestion may be another claim
        worded alike ("will lower" / "will not lower"), which its flags say."""
        return self.link is None or self.link.state in links.SAME_CLAIM_STATES


@dataclass
class Dossier:
    claim: Claim
    article: Article
    assignee: User | None
    evidence: list[Evidence]
    verdicts: list[Verdict]          # those the actor may read
    current: Verdict | None
    links: list[tuple[ClaimLink, Claim, Article]]
    cluster: list[tuple[Claim, Article]]
    priors: list[Prior]
    reusable: list[Prior]            # priors from confirmed links: their verdict may be reused
    history: list[AuditEvent]
    users: dict[int, str]
    ratings: dict[int, Rating]
    merged_into: Claim | None
    prior_checks: list[other_desks.PriorCheck] = field(default_factory=list)  # other desks' fact-checks
    claimreview: dict | None = None  # the published verdict as JSON-LD, for the page's data block
    sent_back: Verdict | None = None  # the latest proposal sent back since the current verdict: its reason


def dossier(session: Session, actor: User, claim: Claim, site: claimreview.Site | None = None) -> Dossier:
    users = {u.id: u.username for u in session.exec(select(User))}
    ratings = {r.id: r for r in session.exec(select(Rating))}
    articles = {}

    def article_of(c: Claim) -> Article:
        if c.article_id not in articles:
            articles[c.article_id] = session.get(Article, c.article_id)
        return articles[c.article_id]

    every = verdicts.verdicts_for(session, claim.id)
    readable = [v for v in every if can_see_draft(actor, claim, v)]
    current = verdicts.current_verdict(session, claim.id)
    def prior(c: Claim, v: Verdict, link: ClaimLink | None) -> Prior:
        return Prior(c, article_of(c), v, ratings[v.rating_id].name, users.get(v.signed_off_by_id), link)

    priors = [prior(c, v, link) for link, c, v in verdicts.prior_verdicts(session, claim)]
    cluster = [(c, article_of(c)) for c in links.cluster_of(session, claim)]
    in_cluster = {c.id for c, _ in cluster}
    direct = {p.claim.id for p in priors}
    priors += [prior(c, v, None) for c, _ in cluster if c.id != claim.id and c.id not in direct
               and (v := verdicts.published_verdict(session, c.id)) is not None]
    hidden = {v.id for v in every} - {v.id for v in readable}
    history = [_redacted(e) if e.object_type == "verdict" and e.object_id in hidden else e
               for e in audit.history(session, claim.id)]
    return Dossier(
        claim=claim, article=article_of(claim),
        assignee=session.get(User, claim.assignee_id) if claim.assignee_id else None,
        evidence=evidence.evidence_for(session, claim.id), verdicts=readable,
        current=current if current is not None and can_see_draft(actor, claim, current) else None,
        links=[(l, c, article_of(c)) for l, c in links.links_of(session, claim.id)],
        cluster=cluster, priors=priors, reusable=[p for p in priors if p.claim.id in in_cluster],
        history=history, users=users, ratings=ratings,
        merged_into=session.get(Claim, claim.merged_into_id) if claim.merged_into_id else None,
        prior_checks=other_desks.checks_for(session, claim),
        claimreview=claimreview.claim_review(session, claim, site) if site else None,
        sent_back=_sent_back_since(readable, current),
    )


def _sent_back_since(readable: list[Verdict], current: Verdict | None) -> Verdict | None:
    """The reviewer whose proposal came back should read why on the claim, not only in its history."""
    back = [v for v in readable if v.state == VerdictState.SENT_BACK
            and (current is None or (v.given_at, v.id) > (current.given_at, current.id))]
    return max(back, key=lambda v: (v.given_at, v.id), default=None)


def _redacted(event: AuditEvent) -> AuditEvent:
    """An unpublished verdict's content stays with those allowed to read the draft."""
    return AuditEvent(id=event.id, at=event.at, actor_id=event.actor_id, action=event.action,
                      object_type=event.object_type, object_id=event.object_id, claim_id=event.claim_id)
