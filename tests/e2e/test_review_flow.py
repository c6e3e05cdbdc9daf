"""The foundation's "done when", as a new desk would live it in a real browser.

A reviewer imports a story, an editor assigns its cost claim, the reviewer researches it and proposes a
verdict, a second editor signs it off; a rival outlet's story repeats the claim in other words and its
page shows the earlier verdict; the claim is found again from a misspelt search, and the CSV says it all.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.articles import COST_CLAIM, COST_CLAIM_REWORDED, FURNITURE, HARBOUR_TUNNEL, TUNNEL_FOLLOW_UP
from tests.e2e.conftest import publish_screenshot
from tests.e2e.pages import ClaimPage, ExportDownload, ImportPage, LoginPage, SearchPage, claim_id_of

pytestmark = pytest.mark.e2e

README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "claim-page.png"


def test_claim_goes_from_pasted_article_to_published_verdict_reused_elsewhere(desk):
    # A reviewer logs in with the keyboard and pastes a story.
    reviewer = desk.page_for("reviewer")
    queue = LoginPage(reviewer).open().log_in_with_keyboard("reviewer")
    assert "reviewer" in queue.signed_in_as()
    article = ImportPage(reviewer).open().import_pasted_article(
        title="Harbour tunnel bill tops £412 million as council defends costs", outlet="Eastmere Post",
        author="Priya Ramanathan", url="https://eastmere-post.example/news/harbour-tunnel-bill",
        published_on="2025-03-11", text=HARBOUR_TUNNEL)
    assert article.title() == "Harbour tunnel bill tops £412 million as council defends costs"
    first_claims = article.claim_texts()
    assert any(text.startswith(COST_CLAIM) for text in first_claims), first_claims
    assert len(first_claims) >= 5, first_claims
    for text in first_claims:
        assert not any(bit.lower() in text.lower() for bit in FURNITURE), f"page furniture became a claim: {text}"
    spans = article.highlighted_spans()
    assert any(span.startswith(COST_CLAIM) for span in spans), spans
    assert not any(bit in span for span in spans for bit in FURNITURE), spans
    furniture = " ".join(article.furniture())
    assert "Donate today" in furniture and "Read more" in furniture, furniture
    desk.screenshot("reviewer", "01-article")

    # An editor gives the cost claim to the reviewer.
    editor = desk.page_for("editor")
    claim = LoginPage(editor).open().log_in_with_keyboard("editor").open_claim(COST_CLAIM)
    claim_url = claim.url
    claim.assign_to("reviewer")
    assert "Assigned to reviewer." in claim.flash()
    assert claim.assignee() == "reviewer"
    assert claim.status() == "in research"

    # The reviewer finds it under "Assigned to me", adds two sources and proposes a verdict.
    mine = queue.open().show_assigned_to_me()
    assert [t for t in mine.claim_texts() if t.startswith(COST_CLAIM)], mine.claim_texts()
    claim = mine.open_claim(COST_CLAIM)
    claim.add_evidence(url="https://eastmere.example.gov.uk/committees/transport/2025-03-11/tunnel-cost-report.pdf",
                       stance="supports", quote="Forecast outturn cost: £412.3m (approved budget 2019: £215.0m).",
                       note="Council cost report, appendix B, table 2.")
    claim.add_evidence(url="https://eastmere.example.gov.uk/news/2019/harbour-tunnel-approved",
                       stance="context", quote="The council approved a £215 million budget for the harbour tunnel.",
                       note="The 2019 figure the story compares with; £412m is 1.92 times that.")
    assert len(claim.evidence_urls()) == 2, claim.evidence_urls()
    claim.propose_verdict(rating="Mostly true", rationale=(
        "The council's own cost report puts the forecast at £412.3 million against a 2019 budget of £215 million, "
        "so 'almost double' is fair; the story does not say that part of the rise is a sewer diversion."))
    assert "Verdict proposed" in claim.flash()
    assert claim.status() == "verdict proposed"

    # A second editor signs it off (four eyes: not the person who proposed it).
    editor2 = desk.page_for("editor2")
    LoginPage(editor2).open().log_in_with_keyboard("editor2")
    signing = ClaimPage(editor2).open(claim_url)
    assert signing.can_sign_off()
    signing.sign_off()
    assert "signed off and published" in signing.flash()
    assert signing.status() == "signed off"
    assert "signed off by editor2" in signing.verdict()

    # Another outlet repeats the claim in other words: its page points at the verdict already given.
    follow_up = ImportPage(reviewer).open().import_pasted_article(
        title="Eastmere tunnel price climbs again", outlet="Coastal Courier", text=TUNNEL_FOLLOW_UP,
        url="https://coastal-courier.example/2025/03/13/eastmere-tunnel-price")
    second_claims = follow_up.claim_texts()
    assert not any("newsletter" in text.lower() for text in second_claims), second_claims
    repeated = follow_up.open_claim(COST_CLAIM_REWORDED)
    repeated_id = claim_id_of(repeated.url)
    priors = repeated.prior_fact_checks()
    assert len(priors) == 1, [p.text for p in priors]
    assert priors[0].text.startswith("Perhaps fact-checked before: Mostly true"), priors[0].text  # a suggestion
    assert COST_CLAIM in priors[0].text and "editor2" in priors[0].text, priors[0].text
    assert claim_id_of(priors[0].href) == claim_id_of(claim_url)
    assert any(text.startswith(COST_CLAIM) for text in repeated.linked_claims()), repeated.linked_claims()
    # The reviewer reads both and confirms they are the same claim: the verdict is now this claim's too.
    repeated.confirm_link_to(claim_id_of(claim_url))
    assert "Link confirmed" in repeated.flash()
    priors = repeated.prior_fact_checks()
    assert len(priors) == 1 and priors[0].text.startswith("Previously fact-checked: Mostly true"), priors
    desk.screenshot("reviewer", "02-linked-claim")

    # The original claim's page now shows evidence, the published verdict and the linked claim.
    original = ClaimPage(editor2).open(claim_url)
    assert any(text.startswith(COST_CLAIM_REWORDED) for text in original.linked_claims()), original.linked_claims()
    shot = desk.screenshot("editor2", "03-claim-page")
    if os.environ.get("FACTCHECK_UPDATE_README_SCREENSHOT"):
        publish_screenshot(shot, README_SCREENSHOT)

    # Days later the reviewer half-remembers the claim and types it with a typo; it is among the first lines.
    found = SearchPage(reviewer).open().search_with_keyboard("Eastmere tunel cost")
    results = found.result_texts()
    assert any(text.startswith(COST_CLAIM) for text in results[:3]), results[:5]

    # The editor downloads the claim-status CSV and opens it.
    csv_file = ExportDownload(editor).download_claims_csv()
    assert csv_file.filename.startswith("factcheck-claims-") and csv_file.filename.endswith(".csv")
    assert len(csv_file.rows) == len(first_claims) + len(second_claims)
    rows = {int(row["claim_id"]): row for row in csv_file.rows}
    checked = rows[claim_id_of(claim_url)]
    assert checked["claim"].startswith(COST_CLAIM)
    assert (checked["status"], checked["verdict"], checked["assignee"], checked["signed_off_by"]) == \
        ("signed_off", "Mostly true", "reviewer", "editor2")
    assert checked["outlet"] == "Eastmere Post"
    assert checked["article_url"] == "https://eastmere-post.example/news/harbour-tunnel-bill"
    assert str(repeated_id) in checked["linked_claim_ids"].split()
    assert not any(bit.lower() in row["claim"].lower() for row in csv_file.rows for bit in FURNITURE)
