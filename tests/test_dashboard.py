"""Dashboard figures on known fixtures, the false-rating rule, and the SVG the charts produce."""
from datetime import date, datetime, timedelta, timezone
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from factcheck import charts, dashboard
from factcheck.errors import NotAllowed
from factcheck.models import ClaimLink, ClaimStatus, LinkState, Rating, Role, Verdict, VerdictState
from tests.factories import make_article, make_claim, make_user, rating

UTC = timezone.utc
NOW = datetime(2024, 3, 14, 12, 0, tzinfo=UTC)  # a Thursday: this week began Monday 11 March
SVG = "{http://www.w3.org/2000/svg}"


def at(day: int, hour: int = 0, month: int = 3, year: int = 2024) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
def desk(session):
    return {"reviewer": make_user(session, Role.REVIEWER, "rita"), "editor": make_user(session, Role.EDITOR, "eddie")}


def claim_created(session, created: datetime, **kw):
    claim = make_claim(session, **kw)
    claim.created_at = created
    session.add(claim)
    session.commit()
    return claim


def signed(session, desk, claim, when: datetime, rating_name: str = "False", state=VerdictState.SIGNED_OFF) -> Verdict:
    verdict = Verdict(claim_id=claim.id, rating_id=rating(session, rating_name).id, rationale="Records.",
                      given_by_id=desk["reviewer"].id, state=state,
                      signed_off_by_id=desk["editor"].id if state == VerdictState.SIGNED_OFF else None,
                      signed_off_at=when if state == VerdictState.SIGNED_OFF else None)
    if state == VerdictState.SIGNED_OFF:
        claim.status = ClaimStatus.SIGNED_OFF
    session.add_all([verdict, claim])
    session.commit()
    return verdict


def test_three_claims_signed_off_in_two_weeks(session, desk):
    c1 = claim_created(session, at(4, 9))
    c2 = claim_created(session, at(4, 10))
    c3 = claim_created(session, at(10, 12))
    signed(session, desk, c1, at(5, 9))    # 24 h, week of 4 March
    signed(session, desk, c2, at(7, 10))   # 72 h, week of 4 March
    signed(session, desk, c3, at(12, 0))   # 36 h, week of 11 March
    old = claim_created(session, at(1, 0, month=11, year=2023))
    signed(session, desk, old, at(2, 0, month=11, year=2023))  # before the 12 weeks shown
    signed(session, desk, claim_created(session, at(12, 0)), None, state=VerdictState.PROPOSED)

    weeks, overall, timed = dashboard.weekly_checks(session, now=NOW)

    assert len(weeks) == 12
    assert weeks[-1].start == date(2024, 3, 11) and weeks[0].start == date(2024, 3, 11) - timedelta(weeks=11)
    by_start = {w.start: w for w in weeks}
    assert (by_start[date(2024, 3, 4)].checked, by_start[date(2024, 3, 4)].median_hours) == (2, 48.0)
    assert (by_start[date(2024, 3, 11)].checked, by_start[date(2024, 3, 11)].median_hours) == (1, 36.0)
    assert sum(w.checked for w in weeks) == 3
    assert all(w.median_hours is None for w in weeks if w.start not in (date(2024, 3, 4), date(2024, 3, 11)))
    assert (overall, timed) == (36.0, 3)


def test_a_recheck_counts_as_checked_again_but_is_timed_from_the_first_sign_off(session, desk):
    claim = claim_created(session, at(4, 0))
    signed(session, desk, claim, at(6, 0))             # first sign-off: 48 h
    signed(session, desk, claim, at(13, 0), "True")    # re-checked the next week
    weeks, overall, timed = dashboard.weekly_checks(session, now=NOW)
    assert [w.checked for w in weeks[-2:]] == [1, 1]
    assert [w.median_hours for w in weeks[-2:]] == [48.0, None]
    assert (overall, timed) == (48.0, 1)


def test_week_start_is_monday_utc():
    assert dashboard.week_start(datetime(2024, 3, 17, 23, 59, tzinfo=UTC)) == date(2024, 3, 11)
    assert dashboard.week_start(datetime(2024, 3, 18, 0, 0, tzinfo=UTC)) == date(2024, 3, 18)
    # 01:00 on Monday in UTC+2 is still Sunday in UTC.
    assert dashboard.week_start(datetime(2024, 3, 18, 1, 0, tzinfo=timezone(timedelta(hours=2)))) == date(2024, 3, 11)
    assert dashboard.week_start(datetime(2024, 3, 18, 0, 0)) == date(2024, 3, 18)  # naive means UTC


def test_claims_by_status_lists_every_status_and_skips_merged_claims(session):
    for status in (ClaimStatus.NEW, ClaimStatus.NEW, ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH):
        make_claim(session, status=status)
    keep = make_claim(session, status=ClaimStatus.TRIAGED)
    merged = make_claim(session, status=ClaimStatus.DISMISSED)
    merged.merged_into_id = keep.id
    session.add(merged)
    session.commit()
    counts = {c.key: c.value for c in dashboard.claims_by_status(session)}
    assert counts == {"new": 2, "triaged": 2, "dismissed": 0, "in_research": 1, "verdict_proposed": 0, "signed_off": 0}
    assert [c.key for c in dashboard.claims_by_status(session)] == [s.value for s in ClaimStatus]


def test_verdicts_by_rating_counts_each_claims_published_verdict_in_scale_order(session, desk):
    a, b, c, d = (make_claim(session) for _ in range(4))
    signed(session, desk, a, at(1), "True")
    signed(session, desk, a, at(2), "False")  # supersedes True
    signed(session, desk, b, at(3), "False")
    signed(session, desk, c, at(3), "Mostly true")
    signed(session, desk, d, None, "True", state=VerdictState.PROPOSED)
    counts = [(r.label, r.value) for r in dashboard.verdicts_by_rating(session)]
    assert counts == [("Mostly true", 1), ("False", 2)]


def test_reviewer_load_counts_open_work_per_assignee(session, desk):
    alice, bob = make_user(session, Role.REVIEWER, "alice"), make_user(session, Role.EDITOR, "bob")
    make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=alice)
    make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=alice)
    make_claim(session, status=ClaimStatus.VERDICT_PROPOSED, assignee=alice)
    make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=bob)
    make_claim(session, status=ClaimStatus.SIGNED_OFF, assignee=bob)  # done: not load
    make_claim(session, status=ClaimStatus.IN_RESEARCH)  # nobody's
    load = dashboard.reviewer_load(session)
    assert [(r.username, r.in_research, r.verdict_proposed, r.total) for r in load] == [
        ("alice", 2, 1, 3), ("bob", 1, 0, 1)]


def test_clusters_join_chains_and_drop_singletons():
    found = sorted(sorted(g) for g in dashboard.clusters([(1, 2), (3, 2), (4, 5), (6, 6)]))
    assert found == [[1, 2, 3], [4, 5]]


def test_repeated_claims_follow_confirmed_links_and_count_outlets(session):
    text = "The bridge cost $2.6 million."
    first = claim_created(session, at(1), article=make_article(session, text=text, outlet="Gazette"), text=text)
    second = claim_created(session, at(2), article=make_article(session, text=text, outlet="Herald"), text=text)
    third = claim_created(session, at(3), article=make_article(session, text=text, outlet=" Gazette "), text=text)
    suggested = make_claim(session, article=make_article(session, outlet="Post"))
    x, y = make_claim(session), make_claim(session)
    z, w = make_claim(session), make_claim(session)
    session.add_all([ClaimLink(claim_a_id=first.id, claim_b_id=second.id, state=LinkState.CONFIRMED),
                     ClaimLink(claim_a_id=second.id, claim_b_id=third.id, state=LinkState.AUTO_CONFIRMED),
                     ClaimLink(claim_a_id=third.id, claim_b_id=suggested.id, state=LinkState.SUGGESTED),
                     ClaimLink(claim_a_id=x.id, claim_b_id=y.id, state=LinkState.REJECTED),
                     ClaimLink(claim_a_id=z.id, claim_b_id=w.id, state=LinkState.CONFIRMED)])
    session.commit()
    repeated = dashboard.repeated_claims(session)
    assert [(r.claim_id, r.claims, r.outlets) for r in repeated] == [(first.id, 3, 2), (z.id, 2, 1)]
    assert repeated[0].outlet_names == ("Gazette", "Herald") and repeated[0].text == text
    assert len(dashboard.repeated_claims(session, limit=1)) == 1


def test_false_rule_on_the_default_scale(session):
    picked = [r.name for r in dashboard.false_end_ratings(session)]
    # Lowest value above zero is 1 (False, Misleading); within 1 of it: Mostly false (2).
    # Unverifiable (0) takes no position on truth; Half true (3) is beyond the band.
    assert picked == ["Mostly false", "False", "Misleading"]


def test_false_rule_by_name_and_by_value():
    def r(name, value):
        return Rating(name=name, value=value)
    assert dashboard.is_false_end(r("Pants on fire", 1), floor=1)
    assert dashboard.is_false_end(r("Baseless", 2), floor=1)
    assert not dashboard.is_false_end(r("Half true", 3), floor=1)
    assert not dashboard.is_false_end(r("Unverifiable", 0), floor=1)
    assert dashboard.is_false_end(r("Largely FALSE", 9), floor=1)  # the name wins whatever the value
    assert not dashboard.is_false_end(r("Wrong", 1), floor=None)  # no scale: only the name can say false
    assert dashboard.is_false_end(r("Falsehood", 5), floor=None)


def test_false_rule_follows_the_active_scale(session):
    for low in session.exec(select(Rating).where(Rating.value <= 2)):
        low.active = False  # the desk retired its low ratings; its scale now starts at 3
        session.add(low)
    session.add(Rating(name="Wrong", value=3, position=20))
    session.commit()
    picked = [r.name for r in dashboard.false_end_ratings(session)]
    # The floor is now 3, so everything valued 4 or less (above zero) is the false end; retired
    # ratings still count, for the verdicts already given with them. True (5) and Unverifiable do not.
    assert picked == ["Mostly true", "Half true", "Mostly false", "False", "Misleading", "Wrong"]


def test_speakers_with_most_false_rated_claims(session, desk):
    def rated(speaker, name):
        signed(session, desk, make_claim(session, speaker=speaker), at(5), name)
    rated("The Mayor", "False")
    rated("the  mayor ", "Mostly false")
    rated("The Mayor", "True")
    rated("Governor", "Misleading")
    rated("Governor", "Unverifiable")
    rated("Someone", "True")
    rated(None, "False")
    signed(session, desk, make_claim(session, speaker="Drafty"), None, "False", state=VerdictState.PROPOSED)
    found = [(s.speaker, s.false_claims, s.rated_claims) for s in dashboard.false_speakers(session)]
    assert found == [("The Mayor", 2, 3), ("Governor", 1, 2)]


def test_build_dashboard_is_for_editors(session, desk):
    with pytest.raises(NotAllowed):
        dashboard.build_dashboard(session=session, actor=desk["reviewer"], now=NOW)
    figures = dashboard.build_dashboard(session=session, actor=desk["editor"], now=NOW)
    assert len(figures.weeks) == 12 and figures.median_hours is None and figures.generated_at == NOW
    assert "False" in figures.false_ratings


# Charts: well-formed SVG, accessible, nothing the CSP would block, user text escaped.

HOSTILE = '<script>alert("x")</script> & "quoted" \x07bell'


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def assert_csp_clean(root: ET.Element) -> None:
    for element in root.iter():
        assert element.tag.removeprefix(SVG) not in ("script", "style", "foreignObject")
        assert "style" not in element.attrib
        assert not any(k.startswith("on") for k in element.attrib)
        assert not any("javascript:" in v for v in element.attrib.values())


def test_bar_chart_is_accessible_escaped_svg():
    svg = charts.bar_chart(chart_id="c1", title="Speakers", labels=[HOSTILE, "Plain"],
                           series=[("claims", [3, 1])])
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root[0].tag == f"{SVG}title" and root[0].text == "Speakers" and root[0].get("id") == "c1-title"
    assert_csp_clean(root)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("<script>alert") for t in texts)  # shown as text, not markup
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    bars = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert len(bars) == 2 and bars[0] == pytest.approx(3 * bars[1])


def test_stacked_bar_chart_has_a_legend_and_totals():
    root = parse(charts.bar_chart(chart_id="c2", title="Load", labels=["alice"],
                                  series=[("in research", [2]), ("verdict proposed", [1])]))
    assert_csp_clean(root)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "in research" in texts and "verdict proposed" in texts and "3" in texts
    assert "alice: 2 in research, 1 verdict proposed" in root.find(f"{SVG}desc").text


def test_line_chart_leaves_gaps_for_missing_weeks():
    root = parse(charts.line_chart(chart_id="c3", title="Median", labels=list("abcdef"),
                                   values=[1, 2, None, 4, 5, None], unit=" h"))
    assert_csp_clean(root)
    lines = [p.get("points").split() for p in root.iter(f"{SVG}polyline")]
    assert [len(points) for points in lines] == [2, 2]
    assert len(list(root.iter(f"{SVG}circle"))) == 4


def test_column_chart_heights_are_proportional():
    root = parse(charts.column_chart(chart_id="c4", title="Weekly", labels=["w1", "w2", "w3"], values=[0, 2, 4]))
    assert_csp_clean(root)
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert heights[0] == 0 and heights[2] == pytest.approx(2 * heights[1]) and heights[2] > 0


@pytest.mark.parametrize("chart", [
    lambda: charts.bar_chart(chart_id="e1", title="Empty", labels=[], series=[("x", [])]),
    lambda: charts.line_chart(chart_id="e2", title="Empty", labels=["a", "b"], values=[None, None]),
])
def test_empty_charts_say_so(chart):
    root = parse(chart())
    assert_csp_clean(root)
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No data yet"]


def test_ticks_are_round_and_cover_the_top():
    assert charts.ticks(7) == [0, 2, 4, 6, 8]
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(100) == [0, 50, 100]
    assert charts.ticks(0.3, whole=False)[-1] >= 0.3


def test_the_duration_unit_follows_the_largest_value():
    assert [charts.duration_unit(v) for v in ([], [None], [0.01, None, 1.9], [0.5, 2], [47.9], [48, 1])] == \
        ["min", "min", "min", "h", "h", "d"]


def test_durations_print_as_the_chart_plots_them():
    one_minute = 1 / 60
    assert charts.in_unit(one_minute, "min") == 1.0 and charts.in_unit(None, "h") is None
    assert [charts.format_duration(h, "min") for h in (None, one_minute, 0.5, 1.5 / 60)] == ["–", "1 min", "30 min",
                                                                                             "1.5 min"]
    assert [charts.format_duration(h, "h") for h in (0.5, 5.25, 47)] == ["0.5 h", "5.2 h", "47 h"]
    assert [charts.format_duration(h, "d") for h in (50, 72)] == ["2.1 d", "3 d"]


def test_line_chart_point_labels_carry_the_unit():
    root = parse(charts.line_chart(chart_id="c5", title="Median", labels=["a", "b"], values=[1, 2.5], unit=" min"))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert labels == ["1 min", "2.5 min"]


def test_repeated_claims_leave_out_claims_merged_away(session):
    """A merge hands its links to the claim kept and keeps the old ones for the record: those must
    not count the same appearance twice."""
    from factcheck import claims
    editor = make_user(session, Role.EDITOR)
    a = make_claim(session, make_article(session, outlet="Herald"), text="Engineers found corrosion in the supports.")
    courier = make_article(session, outlet="Courier")
    b = make_claim(session, courier, text="Engineers found corrosion in the bridge supports.")
    b2 = make_claim(session, courier, text="Engineers found corrosion in the bridge's supports, the report says.")
    session.add(ClaimLink(claim_a_id=a.id, claim_b_id=b.id, state=LinkState.CONFIRMED))
    session.commit()
    assert [(r.claim_id, r.claims) for r in dashboard.repeated_claims(session)] == [(a.id, 2)]
    claims.merge_claims(session=session, actor=editor, keep=b2, others=[b])
    assert [(r.claim_id, r.claims) for r in dashboard.repeated_claims(session)] == [(a.id, 2)]
