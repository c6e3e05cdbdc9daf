"""Page objects named as the desk's user stories: each method is one thing a person does on a page.

They find elements the way a person does (labels, roles, visible text) wherever the page offers that,
and by the templates' stable ids elsewhere; they assert nothing about outcomes: the tests do.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from playwright.sync_api import Page

from tests.factories import PASSWORD


def click_and_wait(page: Page, target) -> None:
    """Click a link or submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        target.click()


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def tab_to(page: Page, element_id: str, limit: int = 15) -> int:
    """Press Tab until the element has focus, as a keyboard user would; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return presses
    raise AssertionError(f"#{element_id} never got keyboard focus within {limit} Tab presses")


class LoginPage:
    """A desk member logs in: with the keyboard alone, or by filling the form when a test only sets a scene."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> LoginPage:
        self.page.goto("/login")
        return self

    def log_in(self, username: str, password: str = PASSWORD) -> QueuePage:
        self.page.get_by_label("Username", exact=True).fill(username)
        self.page.get_by_label("Password", exact=True).fill(password)
        click_and_wait(self.page, self.page.get_by_role("button", name="Log in"))
        return QueuePage(self.page)

    def log_in_with_keyboard(self, username: str, password: str = PASSWORD) -> QueuePage:
        tab_to(self.page, "username")
        self.page.keyboard.type(username)
        self.page.keyboard.press("Tab")
        assert focused_id(self.page) == "password", "Tab from the username does not reach the password"
        self.page.keyboard.type(password)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        return QueuePage(self.page)


class QueuePage:
    """The claim queue everyone lands on."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> QueuePage:
        self.page.goto("/claims/")
        return self

    def signed_in_as(self) -> str:
        return self.page.locator(".whoami").inner_text()

    def claim_texts(self) -> list[str]:
        return self.page.locator("#queue tbody tr td a").all_inner_texts()

    def show_assigned_to_me(self) -> QueuePage:
        click_and_wait(self.page, self.page.get_by_role("link", name="Assigned to me"))
        return self

    def open_claim(self, words: str) -> ClaimPage:
        click_and_wait(self.page, self.page.locator("#queue tbody tr td a", has_text=words).first)
        return ClaimPage(self.page)


class ImportPage:
    """A reviewer pastes an article and has its claims extracted."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> ImportPage:
        self.page.goto("/")
        click_and_wait(self.page, self.page.get_by_role("link", name="Import", exact=True))
        return self

    def import_pasted_article(self, *, title: str, outlet: str, text: str, author: str = "",
                              url: str = "", published_on: str = "") -> ArticlePage:
        form = self.page.locator("#import-form")
        form.get_by_label("Title", exact=True).fill(title)
        form.get_by_label("Outlet", exact=True).fill(outlet)
        if url:
            form.get_by_label("Article URL", exact=True).fill(url)
        if author:
            form.get_by_label("Author", exact=True).fill(author)
        if published_on:
            form.get_by_label("Published on", exact=True).fill(published_on)
        form.get_by_label("Article text", exact=True).fill(text)
        click_and_wait(self.page, form.get_by_role("button", name="Import and extract claims"))
        return ArticlePage(self.page)


class ArticlePage:
    """Reading an imported article with its claims highlighted in the text."""

    def __init__(self, page: Page):
        self.page = page

    def title(self) -> str:
        return self.page.locator("h1#article-title").inner_text()

    def claim_texts(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#claims > li.claim-item > a").all_inner_texts()]

    def highlighted_spans(self) -> list[str]:
        return self.page.locator("#article-text a.span").all_inner_texts()

    def furniture(self) -> list[str]:
        return self.page.locator("#article-text .boilerplate").all_inner_texts()

    def open_claim(self, words: str) -> ClaimPage:
        click_and_wait(self.page, self.page.locator("#claims > li.claim-item > a", has_text=words).first)
        return ClaimPage(self.page)


@dataclass
class Prior:
    text: str
    href: str


class ClaimPage:
    """Everything done on one claim: assigning, researching, proposing and signing off a verdict."""

    def __init__(self, page: Page):
        self.page = page

    @property
    def url(self) -> str:
        return self.page.url

    def open(self, url: str) -> ClaimPage:
        self.page.goto(url)
        return self

    def claim_text(self) -> str:
        return self.page.locator("h1#claim-text").inner_text()

    def assignee(self) -> str:
        return self.page.locator("#claim-assignee").inner_text()

    def status(self) -> str:
        return self.page.locator(".claim-meta .badge").first.inner_text()

    def flash(self) -> str:
        return self.page.locator(".flashes").inner_text()

    def _form(self, action_ending: str):
        return self.page.locator(f"form[action$='{action_ending}']")

    def assign_to(self, username: str) -> ClaimPage:
        form = self._form("/assign")
        form.get_by_label("Assign to", exact=True).select_option(value=username)
        click_and_wait(self.page, form.get_by_role("button", name="Assign"))
        return self

    def add_evidence(self, *, url: str, stance: str, quote: str = "", note: str = "") -> ClaimPage:
        form = self._form("/evidence")
        form.get_by_label("Source URL", exact=True).fill(url)
        form.get_by_label("Quote", exact=True).fill(quote)
        form.get_by_label("Stance", exact=True).select_option(value=stance)
        form.get_by_label("Note", exact=True).fill(note)
        click_and_wait(self.page, form.get_by_role("button", name="Add evidence"))
        return self

    def evidence_urls(self) -> list[str]:
        return self.page.locator("#evidence > li > a").all_inner_texts()

    def propose_verdict(self, *, rating: str, rationale: str) -> ClaimPage:
        form = self._form("/verdict")
        form.get_by_label("Rating", exact=True).select_option(label=rating)
        form.get_by_label("Rationale", exact=True).fill(rationale)
        click_and_wait(self.page, form.get_by_role("button", name="Propose verdict"))
        return self

    def verdict(self) -> str:
        return self.page.locator("#current-verdict").inner_text()

    def can_sign_off(self) -> bool:
        return self.page.locator("#sign-off-submit").count() == 1

    def sign_off(self) -> ClaimPage:
        """The page asks 'Publish this verdict?' before publishing; the editor says yes."""
        self.page.once("dialog", lambda dialog: dialog.accept())
        click_and_wait(self.page, self.page.locator("#sign-off-submit"))
        return self

    def prior_fact_checks(self) -> list[Prior]:
        notices = self.page.locator("p.notice.prior")
        return [Prior(notices.nth(i).inner_text(), notices.nth(i).locator("a").get_attribute("href"))
                for i in range(notices.count())]

    def linked_claims(self) -> list[str]:
        return self.page.locator("#links > li > a").all_inner_texts()

    def confirm_link_to(self, claim_id: int) -> ClaimPage:
        """A suggested link is only a suggestion until a reviewer says it is the same claim."""
        item = self.page.locator("#links > li").filter(has=self.page.locator(f"a[href='/claims/{claim_id}']"))
        click_and_wait(self.page, item.get_by_role("button", name="Confirm"))
        return self


class SearchPage:
    """Finding a claim again from a half-remembered, misspelt phrase."""

    def __init__(self, page: Page):
        self.page = page

    def open(self) -> SearchPage:
        self.page.goto("/search/")
        return self

    def search_with_keyboard(self, words: str) -> SearchPage:
        """The query box has focus when the page opens; the reviewer types and presses Enter."""
        if focused_id(self.page) != "q":
            tab_to(self.page, "q")
        self.page.keyboard.type(words)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        return self

    def result_texts(self) -> list[str]:
        return [t.strip() for t in self.page.locator("#results > li > a").all_inner_texts()]

    def result_count(self) -> str:
        return self.page.locator("#result-count").inner_text()


@dataclass
class CsvDownload:
    filename: str
    rows: list[dict[str, str]]


class ExportDownload:
    """An editor downloads the claim-status CSV and opens it."""

    def __init__(self, page: Page):
        self.page = page

    def download_claims_csv(self) -> CsvDownload:
        with self.page.expect_download() as info:
            self.page.get_by_role("link", name="CSV export").click()
        download = info.value
        with open(download.path(), encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(io.StringIO(handle.read())))
        return CsvDownload(download.suggested_filename, rows)


def claim_id_of(url: str) -> int:
    match = re.search(r"/claims/(\d+)", url)
    assert match, f"not a claim page: {url}"
    return int(match.group(1))

