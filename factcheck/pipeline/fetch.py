"""Stage 1 by URL: fetch one article page without letting the server reach inside our network (SSRF).

Every hop is checked the same way: http or https only, no credentials in the URL, the host resolved
once and every address it resolves to vetted, then the connection made to that vetted address (never a
second DNS lookup, so a rebinding name cannot swap in an internal address between check and use).
Redirects are followed by hand and re-checked; size, total time and content type are capped. No
cookies or credentials are ever sent.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from .sources import SourceError, _looks_binary, decode_document, is_blank, looks_like_html, normalise_text
from .text import html_to_text

USER_AGENT = "factcheck/0.1 (article import; +https://github.com/factcheck)"
ALLOWED_TYPES = {"text/html": "html", "text/plain": "text"}
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

# Metadata services answer on these; they fall in refused classes anyway but are named for clarity.
METADATA_ADDRESSES = {ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "192.0.0.192", "fd00:ec2::254")}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list]


@dataclass(frozen=True)
class AddressPolicy:
    """Which resolved addresses may be connected to. Only tests set allow_loopback (a local server)."""

    allow_loopback: bool = False

    def refusal(self, ip: Address) -> str | None:
        """Why this address is refused, or None when it may be contacted."""
        if self.allow_loopback and any(ip in net for net in LOOPBACK):
            return None
        return refusal_reason(ip)


def refusal_reason(ip: Address) -> str | None:
    """The class of a non-public address, checking addresses embedded in IPv6 forms too."""
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"{inner} (inside an IPv6 address)" if inner else None
    checks = (("an unspecified", ip.is_unspecified), ("a loopback", ip.is_loopback),
              ("a link-local", ip.is_link_local), ("a multicast", ip.is_multicast), ("a private", ip.is_private),
              ("a reserved", ip.is_reserved), ("a shared (CGNAT)", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
              ("a site-local", isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local),
              ("a non-public", not ip.is_global))
    for name, hit in checks:
        if hit:
            return f"{name} address"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 and int(ip) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(ip))
    return None


@dataclass(frozen=True)
class FetchLimits:
    """The caps of one fetch; built from the app config by the view."""

    max_bytes: int = 2_000_000
    timeout: float = 15.0
    max_redirects: int = 5
    policy: AddressPolicy = field(default_factory=AddressPolicy)

    @classmethod
    def from_config(cls, config) -> FetchLimits:
        return cls(max_bytes=int(config.get("FETCH_MAX_BYTES") or config.get("MAX_ARTICLE_BYTES") or 2_000_000),
                   timeout=float(config.get("FETCH_TIMEOUT_SECONDS", 15.0)),
                   max_redirects=int(config.get("FETCH_MAX_REDIRECTS", 5)),
                   policy=AddressPolicy(allow_loopback=bool(config.get("FETCH_ALLOW_LOOPBACK", False))))


@dataclass(frozen=True)
class FetchedPage:
    """Article text from a URL: the text, the page title, where the redirects ended, html or text."""

    text: str
    final_url: str
    title: str | None
    kind: str


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse_target(url: str) -> Target:
    """Split and check one URL before anything is resolved."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise SourceError("The URL is longer than 2,000 characters.")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise SourceError("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SourceError("That is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SourceError("Only http:// and https:// addresses can be imported.")
    if parts.username is not None or parts.password is not None:
        raise SourceError("The URL must not contain a user name or password.")
    host = parts.hostname or ""
    if not host:
        raise SourceError("The URL has no host name.")
    try:
        host = host.encode("idna").decode("ascii") if not _is_ip(host) else host
    except UnicodeError:
        raise SourceError("The URL's host name is not valid.") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def resolve_vetted(target: Target, policy: AddressPolicy, timeout: float,
                   resolver: Resolver = socket.getaddrinfo) -> list[str]:
    """Every address the host resolves to, each vetted; one refused address refuses the host."""
    result: dict = {}

    def lookup():
        try:
            result["infos"] = resolver(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            result["error"] = exc

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(max(0.01, timeout))
    if worker.is_alive():
        raise SourceError(f"Looking up {target.host} took too long.")
    if "error" in result or not result.get("infos"):
        raise SourceError(f"The host {target.host} could not be found.")
    vetted = []
    for info in result["infos"]:
        raw = info[4][0].split("%", 1)[0]  # drop an IPv6 zone id
        ip = ipaddress.ip_address(raw)
        reason = policy.refusal(ip)
        if reason is not None:
            raise SourceError(f"Refused to fetch {target.host}: it points to {reason}, not a public web server.")
        if str(ip) not in vetted:
            vetted.append(str(ip))
    return vetted


class _PinnedHTTP(http.client.HTTPConnection):
    """Sends Host: the name, but connects to the address that was vetted."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def __init__(self, host, port, address, timeout, context: ssl.SSLContext):
        super().__init__(host, port, address, timeout)
        self.context = context

    def connect(self):
        super().connect()
        self.sock = self.context.wrap_socket(self.sock, server_hostname=self.host)


def fetch_page(url: str, limits: FetchLimits = FetchLimits(), resolver: Resolver = socket.getaddrinfo,
               ssl_context: ssl.SSLContext | None = None) -> FetchedPage:
    """The article text of the page at url, or SourceError saying why it cannot be imported."""
    deadline = time.monotonic() + limits.timeout
    current = url
    for _hop in range(limits.max_redirects + 1):
        target = parse_target(current)
        addresses = resolve_vetted(target, limits.policy, _remaining(deadline, limits), resolver)
        status, headers, body = _request(target, addresses, deadline, limits, ssl_context)
        if status in REDIRECTS:
            location = headers.get("location")
            if not location:
                raise SourceError(f"The page answered {status} without saying where it moved.")
            current = urljoin(current, location.strip())
            continue
        if status != 200:
            raise SourceError(f"The page could not be fetched: the server answered {status}.")
        return _page_from(current, headers, body)
    raise SourceError(f"The page redirected more than {limits.max_redirects} times.")


def _remaining(deadline: float, limits: FetchLimits) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise SourceError(f"Fetching the page took longer than {limits.timeout:g} seconds.")
    return left


def _request(target: Target, addresses: list[str], deadline: float, limits: FetchLimits,
             ssl_context: ssl.SSLContext | None) -> tuple[int, dict, bytes]:
    """One GET to the first vetted address that answers; the body only for a 200."""
    last_error: Exception | None = None
    for address in addresses:
        timeout = _remaining(deadline, limits)
        if target.scheme == "https":
            conn = _PinnedHTTPS(target.host, target.port, address, timeout, ssl_context or ssl.create_default_context())
        else:
            conn = _PinnedHTTP(target.host, target.port, address, timeout)
        try:
            conn.connect()
        except ssl.SSLError as exc:
            conn.close()
            raise SourceError(f"The secure connection to {target.host} failed: {exc.reason or exc}.") from None
        except OSError as exc:
            conn.close()
            last_error = exc
            continue
        # A watchdog shuts the connection at the deadline, so a server that trickles bytes cannot hold us.
        # It holds its own duplicate of the socket: http.client closes its handle early on "Connection: close".
        guard = conn.sock.dup()
        watchdog = threading.Timer(_remaining(deadline, limits), _shut, args=(guard,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return _exchange(conn, target, deadline, limits)
        except SourceError:
            raise
        except (OSError, http.client.HTTPException, ValueError):
            if time.monotonic() >= deadline:
                raise SourceError(f"Fetching the page took longer than {limits.timeout:g} seconds.") from None
            raise SourceError(f"The server at {target.host} sent a broken answer.") from None
        finally:
            watchdog.cancel()
            guard.close()
            conn.close()
    if isinstance(last_error, TimeoutError) or time.monotonic() >= deadline:
        raise SourceError(f"Connecting to {target.host} took longer than {limits.timeout:g} seconds.")
    raise SourceError(f"Could not connect to {target.host}.")


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _exchange(conn: _PinnedHTTP, target: Target, deadline: float, limits: FetchLimits) -> tuple[int, dict, bytes]:
    conn.putrequest("GET", target.path, skip_accept_encoding=True)
    for name, value in (("User-Agent", USER_AGENT), ("Accept", "text/html, text/plain;q=0.9"),
                        ("Accept-Encoding", "identity"), ("Connection", "close")):
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    headers = {k.lower(): v for k, v in response.getheaders()}
    if response.status != 200:
        return response.status, headers, b""
    kind = content_kind(headers.get("content-type", ""))
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise SourceError(f"The server sent the page compressed ({encoding}) although asked not to.")
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise SourceError(f"The page is {int(declared):,} bytes; the limit is {limits.max_bytes:,} bytes.")
    body = bytearray()
    while True:
        chunk = response.read(CHUNK)
        if not chunk:
            break
        body += chunk
        if len(body) > limits.max_bytes:
            raise SourceError(f"The page is larger than the limit of {limits.max_bytes:,} bytes.")
        _remaining(deadline, limits)
    _remaining(deadline, limits)  # an end of body forced by the watchdog is a timeout, not a page
    headers["x-factcheck-kind"] = kind
    return response.status, headers, bytes(body)


def content_kind(content_type: str) -> str:
    """html or text; any other type (PDF, images, JSON…) is refused."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media not in ALLOWED_TYPES:
        shown = media or "no content type"
        raise SourceError(f"The page is {shown}; only HTML and plain-text pages can be imported.")
    return ALLOWED_TYPES[media]


def _charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"').lower()
    return None


def _page_from(url: str, headers: dict, body: bytes) -> FetchedPage:
    if not body.strip():
        raise SourceError("The page is empty.")
    if _looks_binary(body):
        raise SourceError("The page is not text (it contains binary data).")
    # A whole HTML page sent as text/plain (a misconfigured server) is read as HTML, as an upload is:
    # its markup is not the article.
    is_html = headers["x-factcheck-kind"] == "html" or looks_like_html(body)
    charset = _charset(headers.get("content-type", ""))
    text = normalise_text(decode_document(body, charset, html=is_html))
    if is_html:
        article, title = html_to_text(text)
        if is_blank(article):
            raise SourceError("No article text could be found on that page.")
        return FetchedPage(normalise_text(article), url, title, "html")
    if is_blank(text):
        raise SourceError("The page is empty.")
    return FetchedPage(text, url, None, "text")
