"""Helpers for the security tests: a second logged-in browser, an HTML injection checker, a local web server."""
from __future__ import annotations

import re
import threading
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from factcheck.models import Role
from tests import factories
from tests.conftest import token_in

VERSION_INPUT = re.compile(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"')


class Browser:
    """One person's test client with its own cookie jar, logged in."""

    def __init__(self, app, user):
        self.client = app.test_client()
        self.user = user
        page = self.client.get("/login")
        response = self.client.post("/login", data={"username": user.username, "password": factories.PASSWORD,
                                                     "csrf_token": token_in(page.get_data(as_text=True))})
        assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def csrf(self) -> str:
        return token_in(self.client.get("/claims/").get_data(as_text=True))

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf())
        return self.client.post(url, data=data, **kw)


@pytest.fixture
def browser(app, session):
    """browser(role, name) -> a logged-in Browser for a new (or the same named) user."""
    made = {}

    def make(role: Role | str = Role.REVIEWER, name: str | None = None) -> Browser:
        key = name or Role(role).value
        if key not in made:
            made[key] = factories.make_user(session, role, username=key)
        return Browser(app, made[key])

    return make


def version_on(html: str) -> int:
    match = VERSION_INPUT.search(html)
    assert match, "no version field on the page"
    return int(match.group(1) or match.group(2))


# --- injected markup ---------------------------------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
OWN_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "ul", "ol", "li", "div",
            "span", "form", "input", "button", "main", "h1", "h2", "h3", "h4", "p", "section", "label", "textarea",
            "select", "option", "small", "strong", "em", "mark", "details", "summary", "table", "thead", "tbody",
            "tr", "th", "td", "time", "blockquote", "q", "article", "aside", "footer", "br", "dl", "dt", "dd",
            "code", "pre", "abbr", "b", "i", "hr", "fieldset", "legend", "caption", "col", "colgroup", "figure",
            "figcaption", "cite", "s", "del", "ins", "sup", "sub", "optgroup", "meter", "progress", "output",
            "svg", "g", "rect", "text", "line", "path", "title", "desc", "circle", "polyline", "tspan"}


class InjectionFinder(HTMLParser):
    """Collects markup that only an injection could have put on one of our pages."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hits: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in OWN_TAGS:
            self.hits.append(f"element <{tag}>")
        if tag == "script" and not any(k == "src" and (v or "").startswith("/static/") for k, v in attrs):
            self.hits.append("inline or foreign <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.hits.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.hits.append(f"style= on <{tag}>")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.hits.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def injected_markup(html: str) -> list[str]:
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder.hits


# --- a local web server for the fetch tests --------------------------------------------------------

ARTICLE_HTML = b"""<!doctype html><html><head><title>Bridge costs rise</title></head><body>
<article><h1>Bridge costs rise</h1>
<p>The mayor said on Tuesday that the new harbour bridge cost $2.6 million, twice the budget set in 2019.</p>
<p>Council records show the city paid 1.3 million dollars to the builder in the first year of the works.</p>
<p>Unemployment in the region fell to 4.1 percent last year, according to the statistics office.</p>
</article></body></html>"""


class LocalSite:
    """Routes of the fake site: path -> (status, headers, body or callable)."""

    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.requests: list[dict] = []

    def route(self, path, status=200, headers=None, body=b""):
        self.routes[path] = (status, headers or {}, body)


def make_handler(site: LocalSite):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            site.requests.append({"path": self.path, "headers": dict(self.headers.items())})
            status, headers, body = site.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not here"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if callable(body):
                self.send_header("Connection", "close")
                self.end_headers()
                body(self.wfile)
                return
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def local_site():
    """A real HTTP server on 127.0.0.1 (the only address these tests ever connect to)."""
    site = LocalSite()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client we cut off mid-answer is expected here
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    site.port = server.server_address[1]
    yield site
    server.shutdown()
    server.server_close()
