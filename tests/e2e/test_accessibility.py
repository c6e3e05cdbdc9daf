"""axe-core over the pages a desk lives in, each in a realistic state: no serious or critical violation.

axe-core comes inside axe-playwright-python (its axe.min.js is read from the package; nothing is fetched).
It is evaluated through the DevTools protocol, which the pages' CSP does not govern, so the pages are
checked exactly as served (no bypass_csp). Every page's full list of violations is kept under
test-artifacts/axe/ for the moderate and minor findings a person should still read.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck import articles, evidence, users, verdicts, workflow
from factcheck.models import Claim
from tests.e2e.articles import COST_CLAIM, COST_CLAIM_REWORDED, HARBOUR_TUNNEL, TUNNEL_FOLLOW_UP
from tests.e2e.pages import LoginPage, click_and_wait, focused_id

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
# Moderate in axe's eyes, but they break how screen-reader users find their way round a page.
ALSO_BLOCKING = {"heading-order", "page-has-heading-one", "landmark-one-main", "empty-heading"}


@pytest.fixture(scope="module")
def scene(live_server):
    """Two stories: a published verdict with evidence on the first one's cost claim, a claim in research, one
    awaiting sign-off, and the second story's rewording that points back at the verdict: the claim page's states."""
    with live_server.session() as s:
        people = {name: users.get_user(session=s, username=name) for name in ("reviewer", "editor", "editor2")}
        first = articles.import_article(
            session=s, actor=people["reviewer"], outlet="Eastmere Post", title="Harbour tunnel bill tops £412 million",
            source=articles.ArticleSource(filename="tunnel.txt", data=HARBOUR_TUNNEL.encode()))
        found = articles.claims_of(s, first.id)
        cost = next(c for c in found if c.text.startswith(COST_CLAIM))
        other, waiting = [c for c in found if c.id != cost.id][:2]
        for claim in (cost, other, waiting):
            workflow.assign(session=s, actor=people["editor"], claim=claim, assignee=people["reviewer"])
        evidence.add_evidence(session=s, actor=people["reviewer"], claim=cost, stance="supports",
                              url="https://eastmere.example.gov.uk/tunnel-cost-report.pdf",
                              quote="Forecast outturn cost: £412.3m.", note="Appendix B.")
        evidence.add_evidence(session=s, actor=people["reviewer"], claim=other, stance="refutes",
                              url="https://eastmere.example.gov.uk/travel-times.csv", quote="", note="")
        rating = next(r for r in verdicts.scale(s) if r.name == "Mostly true")
        verdict = verdicts.propose_verdict(session=s, actor=people["reviewer"], claim=cost, rating_id=rating.id,
                                           rationale="The council's own report gives £412.3m against £215m.")
        verdicts.sign_off(session=s, actor=people["editor2"], claim=s.get(Claim, cost.id), verdict=verdict)
        verdicts.propose_verdict(session=s, actor=people["reviewer"], claim=waiting, rating_id=rating.id,
                                 rationale="Journey-time survey for March agrees within a minute.")
        second = articles.import_article(
            session=s, actor=people["reviewer"], outlet="Coastal Courier", title="Eastmere tunnel price climbs again",
            source=articles.ArticleSource(filename="follow-up.txt", data=TUNNEL_FOLLOW_UP.encode()))
        repeated = next(c for c in articles.claims_of(s, second.id) if c.text.startswith(COST_CLAIM_REWORDED))
        return {"article": first.id, "published": cost.id, "research": other.id, "waiting": waiting.id,
                "repeated": repeated.id}


@pytest.fixture(scope="module")
def signed_in(browser, live_server):
    """Each person logs in once per module; their cookies then open every page they look at."""
    states = {}
    for who in ("reviewer", "editor", "admin"):
        context = browser.new_context(base_url=live_server.url)
        LoginPage(context.new_page()).open().log_in(who)
        states[who] = context.storage_state()
        context.close()
    return states


PAGES = {
    # name: (who is looking, the address)
    "login": (None, lambda ids: "/login"),
    "queue": ("editor", lambda ids: "/claims/"),
    "import": ("reviewer", lambda ids: "/articles/import"),
    "article": ("reviewer", lambda ids: f"/articles/{ids['article']}"),
    "claim-in-research": ("reviewer", lambda ids: f"/claims/{ids['research']}"),
    "claim-published": ("editor", lambda ids: f"/claims/{ids['published']}"),
    "claim-awaiting-sign-off": ("editor", lambda ids: f"/claims/{ids['waiting']}"),
    "claim-previously-checked": ("reviewer", lambda ids: f"/claims/{ids['repeated']}"),
    "search": ("reviewer", lambda ids: "/search/?q=Eastmere+tunel+cost"),
    "admin": ("admin", lambda ids: "/admin/"),
    "tokens": ("reviewer", lambda ids: "/tokens/"),
}


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}"
                  for node in v["nodes"][:5]]
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright",
                              reason="axe-playwright-python==0.1.8 (requirements-dev.txt) carries axe-core").Axe()
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    return results.response["violations"]


def test_axe_runs_under_the_pages_csp_and_catches_an_unlabelled_field(desk, live_server):
    """The harness itself: were axe blocked or blind on these pages, every page would pass for nothing."""
    page = desk.page_for("visitor")
    page.goto("/login")
    page.evaluate("document.querySelector('form').append(Object.assign(document.createElement('input'), {id: 'bare'}))")
    found = {(v["id"], v["impact"]) for v in axe_violations(page)}
    assert ("label", "critical") in found, found


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(desk, scene, signed_in, name):
    who, address = PAGES[name]
    page = desk.page_for(who or "visitor", storage_state=signed_in.get(who))
    page.goto(address(scene))
    assert page.url.endswith(address(scene)), f"{name} redirected to {page.url}"
    violations = axe_violations(page)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(violations, indent=1))
    blocking = [v for v in violations if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]
    assert not blocking, f"{name}: {len(blocking)} blocking axe violations\n{describe(blocking)}"
    assert page.locator("h1").count() == 1, f"{name}: a page has exactly one h1"


def assert_no_blocking(page, name: str) -> None:
    violations = axe_violations(page)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(violations, indent=1))
    blocking = [v for v in violations if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]
    assert not blocking, f"{name}: {len(blocking)} blocking axe violations\n{describe(blocking)}"


def test_flashes_and_forms_sent_back_with_errors_pass_axe(desk, scene, signed_in):
    """A flash message after a move on the rating scale, and the tokens form sent back with a bad expiry."""
    page = desk.page_for("admin", storage_state=signed_in["admin"])
    page.goto("/admin/")
    click_and_wait(page, page.get_by_role("button", name="Move False up"))
    assert "moved up" in page.locator(".flashes").inner_text()
    assert_no_blocking(page, "admin-flash")
    page.goto("/tokens/")
    page.get_by_label("Name (what uses it)").fill("x")
    page.get_by_label("Expires after (days; empty: never)").fill("0")
    click_and_wait(page, page.get_by_role("button", name="Create token"))
    assert page.title().startswith("Error: API tokens")
    field = page.get_by_label("Expires after (days; empty: never)")
    assert field.get_attribute("aria-invalid") == "true" and field.input_value() == "0"
    assert_no_blocking(page, "tokens-form-error")


def test_every_focusable_element_on_the_claim_page_shows_focus(desk, scene, signed_in):
    """Keyboard users must see where they are: each stop in the Tab order draws an outline or a shadow."""
    page = desk.page_for("reviewer", storage_state=signed_in["reviewer"])
    page.goto(f"/claims/{scene['research']}")
    unmarked, seen = [], set()
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return {tag: e.tagName, id: e.id, name: e.getAttribute('name'), text: (e.innerText || '').slice(0, 30),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                    shadow: s.boxShadow !== 'none'}; }""")
        key = (state["tag"], state["id"], state["name"], state["text"])
        if state["tag"] == "BODY" or key in seen:
            break
        seen.add(key)
        if not (state["outline"] or state["shadow"]):
            unmarked.append(key)
    assert len(seen) > 15, f"the Tab order stopped early at {focused_id(page)!r}"
    assert not unmarked, f"no visible focus on: {unmarked}"


def test_pages_reflow_at_phone_width_without_sideways_scrolling(desk, scene, signed_in):
    """WCAG reflow: at 320 CSS pixels nothing but long unbroken strings may push the page sideways."""
    wide = {}
    for name, (who, address) in PAGES.items():
        page = desk.page_for(who or "visitor", storage_state=signed_in.get(who), viewport={"width": 320, "height": 800})
        page.goto(address(scene))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[name] = overflow
            desk.screenshot(who or "visitor", f"reflow-{name}")
    assert not wide, f"pages wider than a 320px screen (extra pixels): {wide}"


def test_the_article_page_stacks_its_claims_under_the_text_on_a_phone(desk, scene, signed_in):
    """At phone width the claim list goes under the article instead of a column a word or two wide beside it."""
    page = desk.page_for("editor", storage_state=signed_in["editor"], viewport={"width": 375, "height": 800})
    page.goto(f"/articles/{scene['article']}")
    text, claims = (page.locator(sel).bounding_box() for sel in ("#article-text", ".claim-list"))
    assert claims["y"] >= text["y"] + text["height"], "the claims sit beside the article text, not under it"
    assert claims["width"] > 300, f"the claim list is {claims['width']:.0f}px wide on a 375px screen"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_the_desks_list_pages_reflow_at_phone_width(desk, scene, signed_in, live_server):
    """The lists beyond the queue (articles, other desks' checks, a member's tokens, the dashboard) scroll their
    tables inside their own box on a phone, as the queue does, instead of pushing the whole page sideways."""
    from factcheck import tokens
    with live_server.session() as s:
        reviewer = users.get_user(session=s, username="reviewer")
        if not tokens.tokens_of(s, reviewer):
            tokens.create_token(session=s, actor=reviewer, name="newsroom spreadsheet sync", expires_days=30)
    wide = {}
    for name, who, address in (("articles", "reviewer", "/articles/"), ("priors", "reviewer", "/priors/"),
                               ("tokens", "reviewer", "/tokens/"), ("dashboard", "editor", "/dashboard/")):
        page = desk.page_for(who, storage_state=signed_in[who], viewport={"width": 320, "height": 800})
        page.goto(address)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[name] = overflow
    assert not wide, f"pages wider than a 320px screen (extra pixels): {wide}"
