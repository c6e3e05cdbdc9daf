"""The dashboard page: editors see the figures as charts with tables; reviewers are refused."""
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from factcheck.models import ClaimLink, ClaimStatus, LinkState, Role
from tests.factories import make_article, make_claim, make_published_verdict, make_user

SVG_BLOCK = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture
def figures(session, auth):
    rita, eddie = make_user(session, Role.REVIEWER, "rita"), make_user(session, Role.EDITOR, "eddie")
    make_claim(session, status=ClaimStatus.IN_RESEARCH, assignee=rita)
    make_claim(session, status=ClaimStatus.VERDICT_PROPOSED, assignee=rita)
    said = (("Mayor <b>Smith</b>", "False"), ("Mayor <b>Smith</b>", "Mostly false"), ("Ann", "True"))
    for speaker, rating_name in said:
        make_published_verdict(session, make_claim(session, speaker=speaker), rita, eddie, rating_name)
    a = make_claim(session, make_article(session, outlet="Gazette"))
    b = make_claim(session, make_article(session, outlet="Herald"))
    session.add(ClaimLink(claim_a_id=a.id, claim_b_id=b.id, state=LinkState.CONFIRMED))
    session.commit()
    return {"linked": a}


def rows(html: str, table_id: str) -> list[list[str]]:
    """The cells of one figures table, tags stripped."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.ADMIN])
def test_editors_see_figures_and_charts(client, auth, figures, role):
    auth.login(role)
    response = client.get("/dashboard/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ["signed off", "3"] in rows(html, "table-status") and ["in research", "1"] in rows(html, "table-status")
    assert rows(html, "table-rating") == [["True", "1"], ["Mostly false", "1"], ["False", "1"]]
    assert rows(html, "table-load") == [["rita", "1", "1", "2"]]
    assert rows(html, "table-speakers")[0] == ["Mayor &lt;b&gt;Smith&lt;/b&gt;", "2", "2"]
    assert rows(html, "table-repeated")[0][1:] == ["2", "2"]
    assert f'href="/claims/{figures["linked"].id}"' in html
    assert sum(int(r[1]) for r in rows(html, "table-weekly")) == 3
    assert 'href="/static/dashboard.css"' in html and 'id="nav-dashboard"' in html


def test_every_chart_is_well_formed_accessible_svg_without_inline_script_or_style(client, auth, figures):
    auth.login(Role.EDITOR)
    html = client.get("/dashboard/").get_data(as_text=True)
    blocks = SVG_BLOCK.findall(html)
    assert len(blocks) == 7
    for block in blocks:
        root = ET.fromstring(block)
        assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text
        for element in root.iter():
            assert not element.tag.endswith(("script", "style")) and "style" not in element.attrib
    assert "<script>" not in html and " style=" not in html and "<b>Smith" not in html


def test_empty_desk_renders(client, auth):
    auth.login(Role.EDITOR)
    response = client.get("/dashboard/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "No data yet" in html and "No verdict signed off yet." in html


def test_reviewers_are_refused_and_not_shown_the_link(client, auth):
    auth.login(Role.REVIEWER)
    response = client.get("/dashboard/")
    assert response.status_code == 403
    assert 'id="nav-dashboard"' not in client.get("/claims/").get_data(as_text=True)


@pytest.mark.parametrize("minutes,table,unit_name", [(1, "1 min", "minutes"), (150, "2.5 h", "hours"),
                                                     (60 * 24 * 3, "3 d", "days")])
def test_the_median_chart_and_table_use_one_unit(client, auth, session, minutes, table, unit_name):
    rita, eddie = make_user(session, Role.REVIEWER, "rita"), make_user(session, Role.EDITOR, "eddie")
    claim = make_claim(session)
    verdict = make_published_verdict(session, claim, rita, eddie)
    claim.created_at = verdict.signed_off_at - timedelta(minutes=minutes)
    session.add(claim)
    session.commit()
    auth.login(Role.EDITOR)
    html = client.get("/dashboard/").get_data(as_text=True)
    this_week = rows(html, "table-weekly")[-1]
    assert this_week[1:] == ["1", table]
    assert f"<strong>{table}</strong>" in html  # the headline median
    chart = ET.fromstring(next(b for b in SVG_BLOCK.findall(html) if 'id="chart-median"' in b))
    svg = "{http://www.w3.org/2000/svg}"
    assert [t.text for t in chart.iter(f"{svg}text") if t.get("class") == "chart-value"] == [table]
    assert chart.find(f"{svg}title").text == f"Median {unit_name} from import to sign-off, per week"
