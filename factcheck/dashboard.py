"""The desk's figures at a glance: what is in the queue, what got checked, how fast, and by whom.

Read-only: no transaction to commit and nothing to audit. Queries are plain GROUP BY counts and
column fetches that read the same on SQLite and PostgreSQL; dates (week buckets, durations,
medians) are worked out in Python over the fetched timestamps.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from statistics import median

import sqlalchemy as sa
from sqlmodel import Session, select

from factcheck import verdicts
from factcheck.errors import NotAllowed
from factcheck.links import SAME_CLAIM_STATES
from factcheck.models import Article, Claim, ClaimLink, ClaimStatus, Rating, User, Verdict, VerdictState, as_utc, utcnow
from factcheck.permissions import is_editor

WEEKS = 12
TOP = 10
# The false end of the scale: see is_false_end.
FALSE_WORD = "false"
FALSE_BAND = 1.0


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    value: int


@dataclass(frozen=True)
class Week:
    start: date
    checked: int  # distinct claims signed off in the week
    median_hours: float | None  # import → first sign-off, over claims first signed off that week
    timed: int  # how many claims that median is taken over


@dataclass(frozen=True)
class Load:
    username: str
    in_research: int
    verdict_proposed: int

    @property
    def total(self) -> int:
        return self.in_research + self.verdict_proposed


@dataclass(frozen=True)
class RepeatedClaim:
    claim_id: int  # the oldest claim of the cluster
    text: str
    claims: int
    outlets: int
    outlet_names: tuple[str, ...]


@dataclass(frozen=True)
class FalseSpeaker:
    speaker: str
    false_claims: int
    rated_claims: int  # claims of this speaker with a published verdict, whatever the rating


@dataclass
class Dashboard:
    by_status: list[Count]
    by_rating: list[Count]
    weeks: list[Week]
    median_hours: float | None  # over every claim first signed off within the weeks shown
    timed: int
    load: list[Load]
    repeated: list[RepeatedClaim]
    false_speakers: list[FalseSpeaker]
    false_ratings: list[str] = field(default_factory=list)  # the ratings the false rule picked
    generated_at: datetime = field(default_factory=utcnow)


def build_dashboard(*, session: Session, actor: User, now: datetime | None = None) -> Dashboard:
    """Every figure of the dashboard page, for editors (it names reviewers and their load)."""
    if not is_editor(actor):
        raise NotAllowed("The dashboard is for editors.")
    now = as_utc(now or utcnow())
    weeks, overall, timed = weekly_checks(session, now=now)
    return Dashboard(by_status=claims_by_status(session), by_rating=verdicts_by_rating(session), weeks=weeks,
                     median_hours=overall, timed=timed, load=reviewer_load(session),
                     repeated=repeated_claims(session), false_speakers=false_speakers(session),
                     false_ratings=[r.name for r in false_end_ratings(session)], generated_at=now)


def week_start(value: datetime) -> date:
    """Weeks run Monday to Sunday, in UTC."""
    day = as_utc(value).date()
    return day - timedelta(days=day.weekday())


def claims_by_status(session: Session) -> list[Count]:
    """Every status in workflow order, zeros included; merged-away claims are not counted."""
    stmt = (select(Claim.status, sa.func.count()).where(Claim.merged_into_id == None)  # noqa: E711
            .group_by(Claim.status))
    counts = {ClaimStatus(status): n for status, n in session.exec(stmt)}
    return [Count(s.value, s.label, counts.get(s, 0)) for s in ClaimStatus]


def published_verdicts(session: Session) -> dict[int, tuple[int, datetime]]:
    """claim id → (rating id, signed_off_at) of its latest signed-off verdict, as published_verdict picks."""
    stmt = (select(Verdict.claim_id, Verdict.rating_id, Verdict.signed_off_at)
            .join(Claim, Claim.id == Verdict.claim_id)
            .where(verdicts.is_published(), Claim.merged_into_id == None))  # noqa: E711
    return {cid: (rating_id, as_utc(at) if at else datetime.min.replace(tzinfo=timezone.utc))
            for cid, rating_id, at in session.exec(stmt)}


def verdicts_by_rating(session: Session) -> list[Count]:
    """Published verdicts per rating, in scale order; ratings no claim has are left out."""
    counts = Counter(rating_id for rating_id, _at in published_verdicts(session).values())
    ratings = session.exec(select(Rating).order_by(Rating.position, Rating.id))
    return [Count(str(r.id), r.name, counts[r.id]) for r in ratings if counts[r.id]]


def weekly_checks(session: Session, *, now: datetime, weeks: int = WEEKS) -> tuple[list[Week], float | None, int]:
    """Sign-offs per week over the last `weeks` weeks (this one included) and import-to-sign-off medians.

    A claim counts as checked in every week it was signed off (a re-check after reopening counts
    again); its time to sign-off is measured once, from import to its first sign-off."""
    first_week = week_start(now) - timedelta(weeks=weeks - 1)
    stmt = (select(Verdict.claim_id, Verdict.signed_off_at, Claim.created_at)
            .join(Claim, Claim.id == Verdict.claim_id)
            .where(Verdict.state == VerdictState.SIGNED_OFF, Verdict.signed_off_at != None,  # noqa: E711
                   Claim.merged_into_id == None))  # noqa: E711
    checked: dict[date, set[int]] = defaultdict(set)
    first: dict[int, tuple[datetime, datetime]] = {}
    for claim_id, signed_at, created_at in session.exec(stmt):
        signed_at, created_at = as_utc(signed_at), as_utc(created_at)
        checked[week_start(signed_at)].add(claim_id)
        if claim_id not in first or signed_at < first[claim_id][0]:
            first[claim_id] = (signed_at, created_at)
    hours: dict[date, list[float]] = defaultdict(list)
    for signed_at, created_at in first.values():
        hours[week_start(signed_at)].append(max(0.0, (signed_at - created_at).total_seconds() / 3600))
    starts = [first_week + timedelta(weeks=i) for i in range(weeks)]
    rows = [Week(start, len(checked[start]), median(hours[start]) if hours[start] else None, len(hours[start]))
            for start in starts]
    window = [h for start in starts for h in hours[start]]
    return rows, (median(window) if window else None), len(window)


def reviewer_load(session: Session) -> list[Load]:
    """Open work per assignee: claims in research and claims waiting with a proposed verdict."""
    busy = (ClaimStatus.IN_RESEARCH, ClaimStatus.VERDICT_PROPOSED)
    stmt = (select(User.username, Claim.status, sa.func.count()).join(User, User.id == Claim.assignee_id)
            .where(Claim.status.in_(busy), Claim.merged_into_id == None)  # noqa: E711
            .group_by(User.username, Claim.status))
    counts: dict[str, Counter] = defaultdict(Counter)
    for username, status, n in session.exec(stmt):
        counts[username][ClaimStatus(status)] += n
    rows = [Load(name, c[ClaimStatus.IN_RESEARCH], c[ClaimStatus.VERDICT_PROPOSED]) for name, c in counts.items()]
    return sorted(rows, key=lambda r: (-r.total, r.username.lower()))


def clusters(pairs) -> list[set[int]]:
    """Connected components of the pairs (union-find with path halving), singletons left out."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, set[int]] = defaultdict(set)
    for x in parent:
        groups[root(x)].add(x)
    return [g for g in groups.values() if len(g) > 1]


def repeated_claims(session: Session, limit: int = TOP) -> list[RepeatedClaim]:
    """The largest groups of claims that confirmed links say are the same claim, with their outlets."""
    live = select(Claim.id).where(Claim.merged_into_id == None)  # noqa: E711  (a merged claim lives on in its keeper)
    same = select(ClaimLink.claim_a_id, ClaimLink.claim_b_id).where(
        ClaimLink.state.in_(SAME_CLAIM_STATES), ClaimLink.claim_a_id.in_(live), ClaimLink.claim_b_id.in_(live))
    pairs = session.exec(same)
    groups = sorted(clusters(pairs), key=len, reverse=True)
    if not groups:
        return []
    # Outlets break ties in size, so fetch every group as large as the last one shown.
    smallest = len(groups[min(limit, len(groups)) - 1])
    groups = [g for g in groups if len(g) >= smallest]
    ids = set().union(*groups)
    rows = session.exec(select(Claim.id, Claim.text, Claim.created_at, Article.outlet,
                               sa.func.coalesce(Article.published_at, Article.imported_at))
                        .join(Article, Article.id == Claim.article_id).where(Claim.id.in_(ids)))
    # first appearance as the claim page orders a cluster: publication date, then import
    info = {cid: (text, (as_utc(when), as_utc(created)), " ".join((outlet or "").split()))
            for cid, text, created, outlet, when in rows}
    found = []
    for group in groups:
        members = sorted((cid for cid in group if cid in info), key=lambda cid: (info[cid][1], cid))
        if len(members) < 2:
            continue
        outlets = tuple(sorted({info[cid][2] for cid in members if info[cid][2]}, key=str.lower))
        found.append(RepeatedClaim(members[0], info[members[0]][0], len(members), len(outlets), outlets))
    found.sort(key=lambda r: (-r.claims, -r.outlets, r.claim_id))
    return found[:limit]


def is_false_end(rating: Rating, floor: float | None) -> bool:
    """The rule for "rated false": the name says false, or the value sits within FALSE_BAND of the floor.

    The floor is the lowest value above zero among the active ratings: zero (or below) is kept for
    ratings that take no position on truth, such as the default scale's "Unverifiable"."""
    if FALSE_WORD in rating.name.casefold():
        return True
    return floor is not None and 0 < rating.value <= floor + FALSE_BAND


def scale_floor(session: Session) -> float | None:
    values = [r.value for r in session.exec(select(Rating).where(Rating.active == True)) if r.value > 0]  # noqa: E712
    return min(values) if values else None


def false_end_ratings(session: Session) -> list[Rating]:
    """Every rating (retired ones too, since old verdicts use them) the false rule picks, in scale order."""
    floor = scale_floor(session)
    ratings = session.exec(select(Rating).order_by(Rating.position, Rating.id))
    return [r for r in ratings if is_false_end(r, floor)]


def false_speakers(session: Session, limit: int = TOP) -> list[FalseSpeaker]:
    """Speakers with the most claims whose published verdict is at the false end of the scale."""
    false_ids = {r.id for r in false_end_ratings(session)}
    published = published_verdicts(session)
    if not published:
        return []
    rows = session.exec(select(Claim.id, Claim.speaker).where(Claim.speaker != None))  # noqa: E711
    false_n: Counter = Counter()
    rated_n: Counter = Counter()
    shown: dict[str, Counter] = defaultdict(Counter)
    for claim_id, speaker in rows:
        name = " ".join(speaker.split())
        if not name or claim_id not in published:
            continue
        key = name.casefold()
        shown[key][name] += 1
        rated_n[key] += 1
        if published[claim_id][0] in false_ids:
            false_n[key] += 1
    found = [FalseSpeaker(shown[k].most_common(1)[0][0], false_n[k], rated_n[k]) for k in false_n]
    found.sort(key=lambda s: (-s.false_claims, s.speaker.casefold()))
    return found[:limit]
