#!/usr/bin/env python3
"""Load test: gunicorn with 4 workers on loopback, 8 simulated reviewers, then a check that nothing was lost.

  python bench/load.py [--seconds 60] [--reviewers 8] [--workers 4] [--max-requests 50000]
                       [--database-url postgresql://user:pass@127.0.0.1/db [--reset]]

Each reviewer thread logs in as a reviewer and as an editor (two cookie jars) and loops: import a short
article, read it, triage its first claim (editor), assign it (editor), add evidence, propose a verdict,
sign it off (editor). It prints requests/s, p50/p95/p99 latency per action and the errors (5xx, and any
"database is locked"), then checks that every acknowledged write is in the database and that each one
has exactly one audit event. Traffic goes to 127.0.0.1 only; the run stops by itself.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # never anything else
PASSWORD = "load-test passphrase " + secrets.token_hex(4)
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
VERSION = re.compile(r'name="version" (?:type="hidden" )?value="(\d+)"')
CLAIM_LINK = re.compile(r'href="/claims/(\d+)"')
SIGN_OFF = re.compile(r'action="/claims/(\d+)/verdict/(\d+)/sign-off"')
RATING = re.compile(r'<option value="(\d+)">False</option>')
STORY = ("Harbour {n} report\n\nThe mayor of Port {n} said on Tuesday that the new bridge cost {m} million dollars, "
         "twice the budget set in 2019. Council records show the city paid {k} million to the builder in the first "
         "year. Unemployment in Port {n} fell to {p} percent last year, according to the statistics office.")


class Client:
    """One browser: a cookie jar over http.client, reconnecting as gunicorn's sync workers close."""

    def __init__(self, port: int, timeout: float = 60):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()
            raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, response.getheader("Location", ""), text


class Recorder:
    def __init__(self, max_requests: int):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.locked_messages = 0
        self.connection_errors = 0
        self.acked: list[tuple[str, int]] = []  # (audit action, object or claim id)
        self.requests = 0
        self.max_requests = max_requests

    def budget_left(self) -> bool:
        with self.lock:
            return self.requests < self.max_requests

    def call(self, client: Client, action: str, method: str, path: str, form: dict | None = None):
        started = time.perf_counter()
        try:
            status, location, text = client.request(method, path, form)
        except (http.client.HTTPException, OSError):
            with self.lock:
                self.requests += 1
                self.connection_errors += 1
            raise
        elapsed = time.perf_counter() - started
        with self.lock:
            self.requests += 1
            self.latency[action].append(elapsed)
            self.status[action][status] += 1
            if "database is locked" in text:
                self.locked_messages += 1
        return status, location, text

    def ack(self, action: str, object_id: int) -> None:
        with self.lock:
            self.acked.append((action, object_id))


def login(rec: Recorder, client: Client, username: str) -> None:
    _s, _l, page = rec.call(client, "login page", "GET", "/login")
    status, _l, _t = rec.call(client, "login", "POST", "/login",
                              {"username": username, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1)})
    if status != 302:
        raise RuntimeError(f"{username} could not log in ({status})")


def reviewer_loop(rec: Recorder, port: int, index: int, deadline: float, failures: list) -> None:
    reviewer, editor = Client(port), Client(port)
    try:
        login(rec, reviewer, f"reviewer{index}")
        login(rec, editor, f"editor{index}")
    except Exception as exc:  # noqa: BLE001 (reported, not hidden)
        failures.append(f"reviewer {index}: {exc}")
        return
    n = 0
    while time.monotonic() < deadline and rec.budget_left():
        n += 1
        try:
            one_story(rec, reviewer, editor, index, n)
        except (http.client.HTTPException, OSError, AttributeError, ValueError) as exc:
            failures.append(f"reviewer {index} round {n}: {type(exc).__name__}: {exc}")


def one_story(rec: Recorder, reviewer: Client, editor: Client, index: int, n: int) -> None:
    """Import -> triage -> assign -> evidence -> propose -> sign off, acknowledging each success."""
    _s, _l, page = rec.call(reviewer, "import page", "GET", "/articles/import")
    token = CSRF.search(page).group(1)
    text = STORY.format(n=f"{index}-{n}", m=2 + n % 7, k=1 + n % 5, p=3 + n % 4)
    status, location, _t = rec.call(reviewer, "import", "POST", "/articles/import",
                                    {"csrf_token": token, "title": f"Load {index}-{n}", "text": text})
    if status != 302:
        return
    article_id = int(location.rstrip("/").rsplit("/", 1)[1])
    rec.ack("article.import", article_id)
    _s, _l, page = rec.call(reviewer, "view article", "GET", f"/articles/{article_id}")
    found = CLAIM_LINK.findall(page)
    if not found:
        return
    claim = int(found[0])
    url = f"/claims/{claim}"

    def editor_post(action, audit, path, form):
        _s, _l, page = rec.call(editor, "view claim", "GET", url)
        form = {"csrf_token": CSRF.search(page).group(1), "version": VERSION.search(page).group(1), **form}
        status, _l, _t = rec.call(editor, action, "POST", path, form)
        if status == 302:
            rec.ack(audit, claim)
        return status == 302

    if not editor_post("triage", "claim.status", f"{url}/status", {"status": "triaged"}):
        return
    if not editor_post("assign", "claim.assign", f"{url}/assign", {"assignee": f"reviewer{index}"}):
        return
    _s, _l, page = rec.call(reviewer, "view claim", "GET", url)
    status, _l, _t = rec.call(reviewer, "evidence", "POST", f"{url}/evidence",
                              {"csrf_token": CSRF.search(page).group(1), "stance": "refutes",
                               "url": f"https://records.example/{index}/{n}", "quote": "Council minutes, page 4."})
    if status == 302:
        rec.ack("evidence.add", claim)
    _s, _l, page = rec.call(reviewer, "view claim", "GET", url)
    status, _l, _t = rec.call(reviewer, "propose", "POST", f"{url}/verdict",
                              {"csrf_token": CSRF.search(page).group(1), "version": VERSION.search(page).group(1),
                               "rating": RATING.search(page).group(1),
                               "rationale": "The council's own records give a lower figure."})
    if status != 302:
        return
    rec.ack("verdict.propose", claim)
    _s, _l, page = rec.call(editor, "view claim", "GET", url)
    match = SIGN_OFF.search(page)
    status, _l, _t = rec.call(editor, "sign off", "POST", f"/claims/{claim}/verdict/{match.group(2)}/sign-off",
                              {"csrf_token": CSRF.search(page).group(1)})
    if status == 302:
        rec.ack("verdict.sign_off", claim)


# --- setup, server, verification ---------------------------------------------------------------

def prepare_database(url: str, reviewers: int, reset: bool) -> None:
    from sqlmodel import Session, SQLModel, select

    from factcheck import db, users, verdicts
    from factcheck.models import Role, User

    engine = db.make_engine(url)
    if reset:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade(engine)
    with Session(engine) as s:
        if s.exec(select(User)).first() is not None:
            raise SystemExit("The database already has users; give a fresh one (or --reset to wipe it).")
        verdicts.ensure_default_scale(s)
        for i in range(reviewers):
            users.create_user(session=s, actor=None, username=f"reviewer{i}", password=PASSWORD, role=Role.REVIEWER)
            users.create_user(session=s, actor=None, username=f"editor{i}", password=PASSWORD, role=Role.EDITOR)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, workers: int, workdir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "FACTCHECK_SECRET_KEY": secrets.token_hex(32),
           "FACTCHECK_INDEX_DIR": str(workdir / "index")}
    log = open(workdir / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}",
                               "--timeout", "120", "--graceful-timeout", "10", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {workdir / 'gunicorn.log'}")
        try:
            if Client(port, timeout=5).request("GET", "/login")[0] == 200:
                return server
        except OSError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 120 s")


def worker_memory(master: int) -> list[tuple[float, float]]:
    """(own MB, shared MB) of each gunicorn worker (bench/memory.py). What the workers share (the
    embedding model's weights file, the index files) is counted once."""
    from memory import own_and_shared_mb

    out = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            out.append(own_and_shared_mb(pid))
        except OSError:
            continue
    return out


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def verify(url: str, acked: list[tuple[str, int]]) -> dict:
    """Every acknowledged write present, with exactly one audit event per acknowledged action."""
    import sqlalchemy as sa
    from sqlmodel import Session, select

    from factcheck import db
    from factcheck.models import Article, AuditEvent, Claim, ClaimStatus, Evidence, Verdict, VerdictState

    engine = db.make_engine(url)
    problems = []
    with Session(engine) as s:
        counts = Counter((e.action, e.object_id if e.action == "article.import" else e.claim_id)
                         for e in s.exec(select(AuditEvent).where(AuditEvent.action.in_(
                             ["article.import", "claim.status", "claim.assign", "evidence.add", "verdict.propose",
                              "verdict.sign_off"]))))
        wanted = Counter(acked)
        for key, n in wanted.items():
            if counts.get(key, 0) != n:
                problems.append(f"{key}: {n} acknowledged, {counts.get(key, 0)} audit events")
        extra = sum((counts - wanted).values())
        for action, object_id in wanted:
            if action == "article.import" and s.get(Article, object_id) is None:
                problems.append(f"article {object_id} missing")
            if action == "evidence.add" and not s.exec(select(Evidence).where(Evidence.claim_id == object_id)).first():
                problems.append(f"evidence of claim {object_id} missing")
            if action == "verdict.sign_off":
                claim = s.get(Claim, object_id)
                signed = s.exec(select(Verdict).where(Verdict.claim_id == object_id,
                                                      Verdict.state == VerdictState.SIGNED_OFF)).first()
                if claim is None or claim.status != ClaimStatus.SIGNED_OFF or signed is None:
                    problems.append(f"claim {object_id} not signed off")
        rows = {t: s.exec(sa.select(sa.func.count()).select_from(sa.table(t))).one()[0]
                for t in ("article", "claim", "evidence", "verdict", "auditevent")}
    engine.dispose()
    return {"problems": problems, "unacknowledged_but_committed": extra, "rows": rows}


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(rec: Recorder, seconds: float, failures: list, check: dict) -> int:
    total = sum(len(v) for v in rec.latency.values())
    print(f"\n{total} requests in {seconds:.1f} s: {total / seconds:.1f} requests/s")
    print(f"{'action':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    for action in sorted(rec.latency):
        v = rec.latency[action]
        statuses = " ".join(f"{k}:{n}" for k, n in sorted(rec.status[action].items()))
        print(f"{action:<14}{len(v):>7}{pct(v, 50) * 1000:>9.0f}{pct(v, 95) * 1000:>9.0f}{pct(v, 99) * 1000:>9.0f}  {statuses}")
    server_errors = sum(n for c in rec.status.values() for k, n in c.items() if k >= 500)
    print(f"errors: {server_errors} 5xx, {rec.locked_messages} 'database is locked', "
          f"{rec.connection_errors} connection errors, {len(failures)} client-side failures")
    for line in failures[:10]:
        print("  ", line)
    acked = Counter(a for a, _ in rec.acked)
    print("acknowledged writes: " + ", ".join(f"{a} {n}" for a, n in sorted(acked.items())))
    print(f"database rows: {check['rows']}")
    print(f"verification: {len(check['problems'])} lost or unaudited writes; "
          f"{check['unacknowledged_but_committed']} committed without an acknowledgement (client gave up)")
    for line in check["problems"][:20]:
        print("  ", line)
    return 1 if check["problems"] or server_errors or rec.locked_messages else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests in all")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file in a temp folder)")
    parser.add_argument("--reset", action="store_true", help="wipe the --database-url database first")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="factcheck-load-"))
    url = args.database_url or f"sqlite:///{workdir / 'load.sqlite'}"
    prepare_database(url, args.reviewers, args.reset)
    port = free_port()
    print(f"gunicorn, {args.workers} workers, on {HOST}:{port}; database {url.split('@')[-1]}; work dir {workdir}")
    server = start_server(url, port, args.workers, workdir)
    rec, failures = Recorder(args.max_requests), []
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=reviewer_loop, args=(rec, port, i, deadline, failures), daemon=True)
                   for i in range(args.reviewers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 180)
        elapsed = time.monotonic() - started
        memory = worker_memory(server.pid)
        print("workers' own memory (MB): " + ", ".join(f"{own:.0f}" for own, _ in memory)
              + "; shared with others: " + ", ".join(f"{shared:.0f}" for _, shared in memory))
    finally:
        stop_server(server)
    return report(rec, elapsed, failures, verify(url, rec.acked))


if __name__ == "__main__":
    sys.exit(main())
