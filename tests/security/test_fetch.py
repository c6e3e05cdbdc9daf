"""Import by URL: fetches only public web servers, re-checks every redirect, caps size, time and type."""
from __future__ import annotations

import codecs
import ipaddress
import socket
import time

import pytest

from factcheck.pipeline import fetch
from factcheck.pipeline.fetch import AddressPolicy, FetchLimits, fetch_page
from factcheck.pipeline.sources import SourceError
from tests.security.conftest import ARTICLE_HTML

LOCAL = FetchLimits(max_bytes=200_000, timeout=5, max_redirects=5, policy=AddressPolicy(allow_loopback=True))

REFUSED = {
    "loopback v4": "127.0.0.1", "loopback v4 other": "127.8.9.10", "loopback v6": "::1",
    "private 10/8": "10.0.0.1", "private 172.16/12": "172.20.1.1", "private 192.168/16": "192.168.1.10",
    "link-local v4": "169.254.10.20", "link-local v6": "fe80::1", "multicast v4": "224.0.0.251",
    "multicast v6": "ff02::1", "reserved 240/4": "240.0.0.1", "broadcast": "255.255.255.255",
    "unspecified v4": "0.0.0.0", "unspecified v6": "::", "CGNAT low": "100.64.0.1", "CGNAT high": "100.127.255.254",
    "metadata v4": "169.254.169.254", "metadata v6": "fd00:ec2::254", "unique local v6": "fc00::5",
    "site-local v6": "fec0::1", "documentation v4": "192.0.2.10", "benchmarking v4": "198.18.0.1",
    "this-network": "0.1.2.3", "v4-mapped loopback": "::ffff:127.0.0.1", "v4-mapped private": "::ffff:10.1.1.1",
    "v4-mapped metadata": "::ffff:169.254.169.254", "v4-compatible loopback": "::127.0.0.1",
    "6to4 of loopback": "2002:7f00:1::1", "NAT64 of private": "64:ff9b::a00:1", "documentation v6": "2001:db8::1",
}


def resolver_for(address: str, calls: list | None = None):
    """A resolver that answers every name with one address, as an attacker's DNS would."""
    def resolve(host, port, type=0, **_kw):  # noqa: A002 (getaddrinfo's own name)
        if calls is not None:
            calls.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]
    return resolve


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if the fetcher tries to open any connection at all."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"a connection to {address} was attempted")

    monkeypatch.setattr(fetch.socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize("label,address", REFUSED.items(), ids=list(REFUSED))
def test_every_non_public_address_class_is_refused_before_connecting(label, address, no_connections):
    with pytest.raises(SourceError, match="Refused to fetch"):
        fetch_page("http://news.example.test/story", FetchLimits(), resolver=resolver_for(address))
    assert no_connections == []


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "93.184.215.14"])
def test_public_addresses_pass_the_policy(address):
    assert AddressPolicy().refusal(ipaddress.ip_address(address)) is None


def test_a_name_with_one_private_address_among_public_ones_is_refused(no_connections):
    def resolve(host, port, type=0, **_kw):  # noqa: A002
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
    with pytest.raises(SourceError, match="private"):
        fetch_page("http://mixed.example.test/", FetchLimits(), resolver=resolve)
    assert no_connections == []


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://[::1]/", "http://localhost/", "http://2130706433/",
                                 "http://0x7f.1/", "http://127.1/", "http://0/", "http://[::ffff:127.0.0.1]/",
                                 "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"])
def test_literal_and_encoded_internal_hosts_are_refused(url, no_connections):
    with pytest.raises(SourceError, match="Refused"):
        fetch_page(url, FetchLimits(), resolver=numeric_resolver)
    assert no_connections == []


def numeric_resolver(host, port, type=0, **_kw):  # noqa: A002
    """The system's own parsing of numeric hosts (hex, decimal, short forms), with no DNS query sent."""
    host = "127.0.0.1" if host == "localhost" else host
    return socket.getaddrinfo(host, port, type=type, flags=socket.AI_NUMERICHOST)


@pytest.mark.parametrize("url,message", [
    ("ftp://example.org/a.txt", "Only http"), ("file:///etc/passwd", "Only http"), ("javascript:alert(1)", "Only http"),
    ("gopher://example.org/", "Only http"), ("data:text/html,<p>x</p>", "Only http"), ("//example.org/", "Only http"),
    ("http://user:secret@example.org/", "user name or password"), ("http://user@example.org/", "user name"),
    ("http:///nohost", "no host"), ("http://exa mple.org/", "spaces"), ("http://example.org/\r\nX: y", "control"),
    ("http://example.org:99999/", "not a valid URL"), ("http://" + "a" * 2100 + ".org/", "longer than"),
])
def test_bad_urls_are_refused_with_a_reason(url, message, no_connections):
    with pytest.raises(SourceError, match=message):
        fetch_page(url, FetchLimits(), resolver=resolver_for("8.8.8.8"))
    assert no_connections == []


def test_loopback_is_refused_by_default_even_when_a_server_listens(local_site):
    local_site.route("/a", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    with pytest.raises(SourceError, match="loopback"):
        fetch_page(local_site.base + "/a", FetchLimits())
    assert local_site.requests == []


def test_an_html_page_is_fetched_and_reduced_to_its_article(local_site):
    local_site.route("/story", headers={"Content-Type": "text/html; charset=utf-8"}, body=ARTICLE_HTML)
    page = fetch_page(local_site.base + "/story", LOCAL)
    assert "harbour bridge cost $2.6 million" in page.text
    assert "<p>" not in page.text and page.kind == "html"
    assert page.title == "Bridge costs rise" and page.final_url == local_site.base + "/story"


def test_plain_text_is_fetched_with_its_declared_charset(local_site):
    local_site.route("/t", headers={"Content-Type": "text/plain; charset=iso-8859-1"},
                     body="Le café a coûté 3 euros.".encode("latin-1"))
    page = fetch_page(local_site.base + "/t", LOCAL)
    assert page.text == "Le café a coûté 3 euros." and page.kind == "text" and page.title is None


def test_no_cookies_or_credentials_are_sent_and_the_host_header_is_the_name(local_site):
    local_site.route("/set", status=302, headers={"Location": "/story", "Set-Cookie": "sid=secret; Path=/"})
    local_site.route("/story", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    fetch_page(local_site.base + "/set", LOCAL)
    assert len(local_site.requests) == 2
    for request in local_site.requests:
        names = {k.lower() for k in request["headers"]}
        assert not names & {"cookie", "authorization", "proxy-authorization"}
        assert request["headers"]["Host"] == f"127.0.0.1:{local_site.port}"


def test_the_connection_goes_to_the_vetted_address_without_a_second_lookup(local_site, monkeypatch):
    """DNS rebinding: the name is resolved once per hop, and the socket opened to that very address."""
    local_site.route("/story", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    calls = []
    real_getaddrinfo = socket.getaddrinfo

    def only_numeric(host, *args, **kwargs):
        if host != "127.0.0.1":
            raise AssertionError(f"a second lookup of {host!r} happened")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_numeric)
    page = fetch_page(f"http://rebind.example.test:{local_site.port}/story", LOCAL,
                      resolver=resolver_for("127.0.0.1", calls))
    assert calls == ["rebind.example.test"]
    assert local_site.requests[0]["headers"]["Host"] == f"rebind.example.test:{local_site.port}"
    assert "2.6 million" in page.text


def test_redirects_are_followed_and_the_final_url_reported(local_site):
    local_site.route("/old", status=301, headers={"Location": "/older"})
    local_site.route("/older", status=307, headers={"Location": local_site.base + "/story"})
    local_site.route("/story", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    page = fetch_page(local_site.base + "/old", LOCAL)
    assert page.final_url == local_site.base + "/story" and "2.6 million" in page.text


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://169.254.169.254/latest/meta-data/",
                                    "http://[::ffff:192.168.0.1]/", "http://[fd00:ec2::254]/", "http://100.64.0.1/",
                                    "http://0.0.0.0/", "file:///etc/passwd", "http://u:p@127.0.0.1/"])
def test_a_redirect_from_an_allowed_server_to_a_refused_address_is_refused(local_site, target, monkeypatch):
    local_site.route("/hop", status=302, headers={"Location": target})
    opened = []
    real = socket.create_connection
    monkeypatch.setattr(fetch.socket, "create_connection",
                        lambda address, *a, **k: opened.append(address[0]) or real(address, *a, **k))
    with pytest.raises(SourceError, match="Refused|Only http|user name"):
        fetch_page(local_site.base + "/hop", LOCAL)
    assert opened == ["127.0.0.1"]  # the first hop only: nothing was opened towards the target


def test_more_than_five_redirects_are_refused(local_site):
    for i in range(7):
        local_site.route(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    local_site.route("/r7", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    with pytest.raises(SourceError, match="redirected more than 5 times"):
        fetch_page(local_site.base + "/r0", LOCAL)
    assert len(local_site.requests) == 6


def test_five_redirects_are_still_followed(local_site):
    for i in range(5):
        local_site.route(f"/r{i}", status=302, headers={"Location": f"/r{i + 1}"})
    local_site.route("/r5", headers={"Content-Type": "text/html"}, body=ARTICLE_HTML)
    assert "2.6 million" in fetch_page(local_site.base + "/r0", LOCAL).text


def test_a_declared_size_over_the_cap_is_refused_before_reading(local_site):
    local_site.route("/big", headers={"Content-Type": "text/html", "Content-Length": "500000"}, body=b"<p>x</p>")
    with pytest.raises(SourceError, match="500,000 bytes; the limit is 200,000"):
        fetch_page(local_site.base + "/big", LOCAL)


def test_an_undeclared_size_over_the_cap_is_cut_off(local_site):
    def stream(out):
        for _ in range(100):
            out.write(b"<p>" + b"word " * 1000 + b"</p>\n")
    local_site.route("/stream", headers={"Content-Type": "text/html"}, body=stream)
    with pytest.raises(SourceError, match="larger than the limit of 200,000 bytes"):
        fetch_page(local_site.base + "/stream", LOCAL)


def test_a_slow_server_is_cut_off_at_the_total_time_cap(local_site):
    def trickle(out):
        try:
            for _ in range(60):
                out.write(b"<p>slow</p>\n")
                out.flush()
                time.sleep(0.1)
        except OSError:
            pass
    local_site.route("/slow", headers={"Content-Type": "text/html"}, body=trickle)
    started = time.monotonic()
    with pytest.raises(SourceError, match="longer than 1 seconds"):
        fetch_page(local_site.base + "/slow", FetchLimits(timeout=1, policy=AddressPolicy(allow_loopback=True)))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json", "text/javascript",
                                          "application/octet-stream", "application/xhtml+xml", ""])
def test_only_html_and_plain_text_are_accepted(local_site, content_type):
    local_site.route("/f", headers={"Content-Type": content_type} if content_type else {}, body=b"%PDF-1.4 stuff")
    with pytest.raises(SourceError, match="only HTML and plain-text"):
        fetch_page(local_site.base + "/f", LOCAL)


def test_binary_bytes_behind_a_text_type_are_refused(local_site):
    local_site.route("/bin", headers={"Content-Type": "text/plain"}, body=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    with pytest.raises(SourceError, match="binary"):
        fetch_page(local_site.base + "/bin", LOCAL)


@pytest.mark.parametrize("status", [404, 500, 403])
def test_error_statuses_are_reported(local_site, status):
    local_site.route("/e", status=status, headers={"Content-Type": "text/html"}, body=b"<p>no</p>")
    with pytest.raises(SourceError, match=f"answered {status}"):
        fetch_page(local_site.base + "/e", LOCAL)


def test_compressed_answers_that_were_not_asked_for_are_refused(local_site):
    local_site.route("/gz", headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}, body=b"\x1f\x8b\x08junk")
    with pytest.raises(SourceError, match="compressed"):
        fetch_page(local_site.base + "/gz", LOCAL)
    assert local_site.requests[0]["headers"]["Accept-Encoding"] == "identity"


def test_a_closed_port_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(SourceError, match="Could not connect"):
        fetch_page(f"http://127.0.0.1:{port}/", LOCAL)


PAGE = ("<html><head><title>Bridge</title></head><body><article><p>{who} said on Tuesday that the new bridge cost "
        "{money}, twice the budget set in 2019.</p><p>Council records show the city paid half of it to the builder "
        "in the first year of the works.</p></article></body></html>")
CURLY = PAGE.format(who="The mayor’s office", money="€2.6 million")
POLISH = PAGE.format(who="Łukasz Wałęsa, the mayor of Gdańsk,", money="2.6 million złoty")


@pytest.mark.parametrize("content_type,body,expected", [
    ("text/html; charset=ISO-8859-1", CURLY.encode("cp1252"), "The mayor’s office"),  # a browser reads windows-1252
    ("text/html", CURLY.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252"), "€2.6 million"),
    ("text/html; charset=iso-8859-1", codecs.BOM_UTF8 + CURLY.encode("utf-8"), "The mayor’s office"),  # BOM wins
    ("text/html", POLISH.replace("<head>", '<head><meta charset="iso-8859-2">').encode("iso-8859-2"),
     "Łukasz Wałęsa, the mayor of Gdańsk"),
])
def test_a_page_is_read_in_the_charset_a_browser_would_use(local_site, content_type, body, expected):
    local_site.route("/p", headers={"Content-Type": content_type}, body=body)
    page = fetch_page(local_site.base + "/p", LOCAL)
    assert page.title == "Bridge" and expected in page.text
    assert not any("\x80" <= c <= "\x9f" or c == "\ufffd" for c in page.text)


def test_an_html_page_served_as_plain_text_is_read_as_html(local_site):
    """As an upload named .txt is: the reviewer gets the article, not its markup."""
    local_site.route("/story", headers={"Content-Type": "text/plain; charset=utf-8"}, body=ARTICLE_HTML)
    page = fetch_page(local_site.base + "/story", LOCAL)
    assert page.kind == "html" and page.title == "Bridge costs rise"
    assert "harbour bridge cost $2.6 million" in page.text and "<p>" not in page.text
