"""The editor's web application: who may talk to it, conflicts, escaping, publishing, the
library list; and the real server started by the CLI (killed mid-session, stopped by Ctrl-C)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from helpers.cli import digitize_cmd
from helpers.proofbook import block, make_book, write_book
from starlette.testclient import TestClient

from digitize.bookjson import book_from_json
from digitize.errors import ExitCode
from digitize.proof.app import COOKIE, Session, create_app

LOCAL = ("127.0.0.1", 50123)
# "Tình thé Nho giáo" → "Tình thế Nho giáo": the second word of block 1 of page 1.
FIX_WORD = {"op": "word", "page": 0, "block": 1, "line": 0, "word": 1, "value": "thế"}


def client(session: Session, where: tuple[str, int] = LOCAL, token: bool = True) -> TestClient:
    c = TestClient(create_app(session), client=where, follow_redirects=False)
    if token:
        c.cookies.set(COOKIE, session.token)
    return c


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session([write_book(tmp_path / "out")], cache_root=tmp_path / "cache")


def test_requests_without_the_token_are_refused(session: Session) -> None:
    anon = client(session, token=False)
    for url in ("/", "/b/0/api/summary", "/b/0/api/page/0", "/static/proof.js"):
        r = anon.get(url)
        assert r.status_code == 403 and "token" in r.text
    assert anon.get("/?token=wrong").status_code == 403
    r = anon.post("/b/0/api/edit", json={"op": "join", "page": 0, "block": 1})
    assert r.status_code == 403
    ok = anon.get(f"/?token={session.token}")
    assert ok.status_code == 200 and "Nho giáo yếu lược" in ok.text
    assert COOKIE in ok.cookies and "httponly" in ok.headers["set-cookie"].lower()
    assert "samesite=strict" in ok.headers["set-cookie"].lower()
    assert anon.get("/b/0/api/summary").status_code == 200  # the cookie now carries the token


@pytest.mark.parametrize("where", [("10.0.0.7", 40000), ("192.168.1.20", 40000), ("testclient", 1)])
def test_non_loopback_clients_are_refused_even_with_the_token(
    session: Session, where: tuple[str, int]
) -> None:
    r = client(session, where).get(f"/?token={session.token}")
    assert r.status_code == 403 and "this machine" in r.text
    assert client(session, ("::1", 4000)).get("/b/0/api/summary").status_code == 200


def test_unexpected_host_and_non_json_writes_are_refused(session: Session) -> None:
    c = client(session)
    assert c.post("/b/0/api/edit", data={"op": "join"}).status_code == 415  # a cross-site form
    session.hosts = frozenset({"127.0.0.1:8123"})
    assert c.get("/b/0/api/summary").status_code == 403  # DNS rebinding: Host is testserver
    assert c.get("/b/0/api/summary", headers={"host": "127.0.0.1:8123"}).status_code == 200


def test_a_stale_save_from_a_second_tab_gets_409_and_a_clear_message(session: Session) -> None:
    c = client(session)
    v0 = c.get("/b/0/api/summary").json()["version"]
    tab1 = {**FIX_WORD, "version": v0}
    r1 = c.post("/b/0/api/edit", json=tab1)
    assert r1.status_code == 200 and r1.json()["version"] != v0
    tab2 = {"version": v0, "op": "kind", "page": 0, "block": 3, "value": "heading", "level": 1}
    r2 = c.post("/b/0/api/edit", json=tab2)
    assert r2.status_code == 409
    assert "another tab" in r2.json()["error"] and r2.json()["version"] == r1.json()["version"]
    book = book_from_json(session.books[0].read_text(encoding="utf-8"))
    assert [x.op for x in book.corrections] == ["word"]  # the first tab's edit is kept
    bad = c.post("/b/0/api/edit", json={**tab2, "version": r1.json()["version"], "value": "x"})
    assert bad.status_code == 400 and "unknown block kind" in bad.json()["error"]


def test_ocr_text_is_escaped_in_the_page_and_sent_as_data(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    book = make_book(title=f"<b>{hostile}</b>")
    page = book.pages[0]
    evil = block("paragraph", [f"x {hostile} \u202eabc"], 600)
    book = book.with_pages((replace(page, blocks=(*page.blocks, evil)), book.pages[1]))
    s = Session([write_book(tmp_path, book)], cache_root=tmp_path / "cache")
    c = client(s)
    html = c.get("/").text
    assert hostile not in html and "&lt;script&gt;" in html
    assert (
        "Content-Security-Policy" in c.get("/").headers
        and "script-src 'self'" in c.get("/").headers["content-security-policy"]
    )
    data = c.get("/b/0/api/page/0").json()
    last = data["blocks"][-1]
    assert hostile in last["text"] and "⟨U+202E⟩" in last["shown"]
    js = c.get("/static/proof.js").text
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js


def test_publish_exports_beside_the_book_and_serves_only_what_it_published(
    session: Session,
) -> None:
    c = client(session)
    v0 = c.get("/b/0/api/summary").json()["version"]
    c.post("/b/0/api/edit", json={**FIX_WORD, "version": v0})
    r = c.post("/b/0/api/publish", json={})
    assert r.status_code == 200, r.text
    names = sorted(f["name"] for f in r.json()["files"])
    assert names == ["Nho_giáo_yếu_lược.epub", "Nho_giáo_yếu_lược.html", "Nho_giáo_yếu_lược.txt"]
    out = session.books[0].parent
    assert "Tình thế Nho giáo" in (out / "Nho_giáo_yếu_lược.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "Nho_giáo_yếu_lược.epub") as z:
        assert any("Tình thế" in z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    epub = c.get(r.json()["files"][0]["url"])
    assert epub.status_code == 200 and "attachment" in epub.headers["content-disposition"]
    page = c.get(next(f["url"] for f in r.json()["files"] if f["name"].endswith(".html")))
    assert "sandbox" in page.headers["content-security-policy"]
    assert c.get("/b/0/out/sach.book.json").status_code == 404
    assert c.get("/b/0/out/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_a_library_lists_its_books_with_review_counts(tmp_path: Path) -> None:
    lib = tmp_path / "library"
    write_book(lib / "a", stem="a")
    write_book(lib / "b", make_book(title="Sách thứ hai"), stem="b")
    (lib / "broken").mkdir()
    (lib / "broken" / "broken.book.json").write_text("{not json")
    s = Session(sorted(lib.glob("*/*.book.json")), cache_root=tmp_path / "cache")
    c = client(s)
    assert c.get("/b/1/api/summary").json()["to_review"] == 1  # page 1 reads at 73 %
    c.post(
        "/b/1/api/edit",
        json={
            "version": c.get("/b/1/api/summary").json()["version"],
            "op": "reviewed",
            "page": 0,
            "value": "yes",
        },
    )
    html = c.get("/").text
    assert 'href="/b/0/"' in html and 'href="/b/1/"' in html and "Sách thứ hai" in html
    assert 'href="/b/2/"' not in html
    assert "not a valid book.json" in html  # the broken one is named, the others still listed
    summary = c.get("/b/1/api/summary").json()
    assert summary["to_review"] == 0 and [p["reviewed"] for p in summary["pages"]] == [True, False]
    rows = [r.split("</tr>")[0] for r in html.split("<tr>")[2:]]
    assert '<td class="num to-review">1</td>' in rows[0]  # book a: its low page still to review
    assert '<td class="num to-review">0</td>' in rows[1]
    assert c.get("/b/7/").status_code == 404


# ---------------------------------------------------------------- the real server


def start(book_json: Path, tmp: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            *digitize_cmd(),
            "proof",
            str(book_json),
            "--no-browser",
            "--cache-dir",
            str(tmp / "cache"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "http://127.0.0.1:" in line, line + proc.stderr.read()
    return proc, line.split(" at ", 1)[1].strip()


def test_the_cli_serves_on_loopback_survives_a_kill_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    path = write_book(tmp_path / "out")
    proc, url = start(path, tmp_path)
    try:
        with httpx.Client(base_url=url.split("/?")[0]) as h:
            assert h.get("/b/0/api/summary").status_code == 403  # no token
            h.get(url)  # sets the cookie
            v = h.get("/b/0/api/summary").json()["version"]
            r = h.post("/b/0/api/edit", json={"version": v, "op": "join", "page": 0, "block": 1})
            assert r.status_code == 200
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    book = book_from_json(path.read_text(encoding="utf-8"))  # a killed server: valid book.json
    assert [c.op for c in book.corrections] == ["join"]
    assert not [p for p in path.parent.iterdir() if p.name != path.name]
    proc, url = start(path, tmp_path)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "stopped" in out


def test_the_cli_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.book.json"
    bad.write_text(
        json.dumps({"schema": "digitize.book", "version": 1, "book": {"t": "Book", "meta": 3}})
    )
    for target, code in (
        (tmp_path / "missing.json", ExitCode.BAD_INPUT),
        (bad, ExitCode.BAD_INPUT),
    ):
        proc = subprocess.run(
            [*digitize_cmd(), "proof", str(target), "--no-browser"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert proc.returncode == code, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
