"""OCR text, PDF metadata and file names are hostile data.

A born-digital PDF whose text layer and title carry markup, entities, `]]>`, control
characters and bidi overrides is converted with every exporter; every XHTML/XML output must
parse with a strict XML parser, every HTML/Markdown output must tokenise without an injected
element, and no control or bidi-override character may survive. Odd input names and edited
book.json titles must never put a file outside the output directory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import ROOT, cli
from helpers import bad_files as bf
from lxml import etree

HOSTILE_LINES = (
    "Bài học hôm nay nói về cách viết văn bản an toàn cho mọi người đọc sách",
    'Chữ <script>alert("pwn")</script> phải hiện ra như chữ thường trong sách',
    'Dấu </p><h1 id="pwned">Tiêu đề giả</h1> và & cùng ]]> không được phá trang',
    "Ký tự điều khiển \x07chuông\x1b và đảo chiều \u202egnirts\u202c cũng bị loại bỏ",
    "<img src=x onerror=pwn()> cùng &amp; và &lt;b&gt; là chữ bình thường trong sách",
    "<![CDATA[ x ]]> <!-- comment --> <?php echo 1; ?> {{7*7}} [link](javascript:pwn())",
    "Học sinh đọc bài văn này thật kỹ rồi trả lời các câu hỏi ở cuối trang sách",
)
HOSTILE_TITLE = 'Sách <script>alert(1)</script> & "]]> \u202eevil\u202c \x07'
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return cli.run("--quiet", *args)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of every <script> (as browsers
    tokenise it: script content ends at the first `</script>`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def assert_no_injection(name: str, markup: str) -> Elements:
    doc = Elements()
    doc.feed(markup)
    doc.close()
    for tag, attrs in doc.tags:
        assert not any(a.startswith("on") for a in attrs), f"{name}: <{tag} {attrs}>"
        assert attrs.get("id") != "pwned", f"{name}: injected <{tag} id=pwned>"
        assert not (tag == "img" and attrs.get("src") == "x"), f"{name}: injected <img>"
    for s in doc.scripts:
        assert s.strip() not in ('alert("pwn")', "alert(1)"), f"{name}: injected <script>"
    return doc


def assert_clean_chars(name: str, text: str) -> None:
    bad = {
        ch for ch in text if ch in BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    }
    assert not bad, f"{name}: {sorted(map(hex, map(ord, bad)))}"


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    src = bf.text_pdf(
        tmp / "hostile.pdf",
        pages=(HOSTILE_LINES, HOSTILE_LINES[::-1]),
        title=HOSTILE_TITLE,
        author="<b>Tác giả</b> & </dc:creator>",
    )
    proc = run(
        "convert", str(src), "-o", str(tmp / "out"), "--no-cache", "--to", "epub,html,txt,md"
    )
    assert proc.returncode == 0, proc.stderr
    return tmp / "out"


def test_epub_parts_are_strict_xml_without_injected_elements(hostile_out: Path) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    with zipfile.ZipFile(hostile_out / "hostile.epub") as z:
        names = z.namelist()
        for n in names:
            assert not n.startswith("/") and ".." not in n.split("/") and "\\" not in n
        chapters = 0
        for n in names:
            if not n.endswith((".xhtml", ".opf", ".ncx", ".xml")):
                continue
            data = z.read(n)
            root = etree.fromstring(data, parser)  # raises on anything not well-formed
            text = data.decode("utf-8")
            assert_clean_chars(n, text)
            for el in root.iter():
                if not isinstance(el.tag, str):
                    continue
                local = etree.QName(el).localname
                assert local not in ("script", "img") or "alert" not in (el.text or ""), n
                assert el.get("id") != "pwned" and el.get("onerror") is None, n
            assert_no_injection(n, text)
            if n.endswith(".opf"):
                ns = {"dc": "http://purl.org/dc/elements/1.1/"}
                (title,) = root.findall(".//dc:title", ns)
                assert "<script>alert(1)</script>" in (title.text or "")
                assert any(
                    "</dc:creator>" in (c.text or "") for c in root.findall(".//dc:creator", ns)
                )
            if "chap" in n or "text" in n:
                body = "".join(root.itertext())
                chapters += 'alert("pwn")' in body
        assert chapters >= 1, "the hostile text should survive as text, escaped"


def test_html_report_and_markdown_have_no_injected_elements(hostile_out: Path) -> None:
    checked = 0
    for path in sorted(hostile_out.rglob("*")):
        if path.suffix not in (".html", ".htm", ".md", ".xhtml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        assert_clean_chars(path.name, text)
        doc = assert_no_injection(path.name, text)
        if path.suffix == ".md":
            assert not [t for t, _ in doc.tags], f"{path.name}: raw HTML in Markdown: {doc.tags}"
        checked += 1
    assert checked >= 3  # hostile.html, hostile.md, hostile.report.html
    page = Elements()
    page.feed((hostile_out / "hostile.html").read_text(encoding="utf-8"))
    assert 'alert("pwn")' in "".join(page.text)  # shown as text, not dropped


def test_plain_text_and_json_outputs_keep_text_without_control_characters(
    hostile_out: Path,
) -> None:
    txt = (hostile_out / "hostile.txt").read_text(encoding="utf-8")
    assert '<script>alert("pwn")</script>' in txt
    report = json.loads((hostile_out / "hostile.report.json").read_text(encoding="utf-8"))
    assert report["title"].startswith("Sách <script>")


# ---------------------------------------------------------------- hostile file names

ODD_NAMES = [
    "....pdf",
    "-o.pdf",
    "\u202efdp.exe.pdf",
    "tab\there.pdf",
    "new\nline.pdf",
    "CON.pdf",
    unicodedata.normalize("NFD", "Sách giáo khoa lớp 6.pdf"),
    "x" * 240 + ".pdf",
]


def test_odd_input_names_stay_inside_the_output_dir(tmp_path: Path) -> None:
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    good = bf.text_pdf(src_dir / "seed.pdf")
    srcs = []
    for name in ODD_NAMES:
        p = src_dir / name
        os.link(good, p)
        srcs.append(str(p))
    out = tmp_path / "out"
    before = set(tmp_path.rglob("*"))
    proc = run("convert", *srcs, "-o", str(out), "--no-cache", "--to", "epub,html,txt,md")
    assert proc.returncode == 0, proc.stderr
    created = set(tmp_path.rglob("*")) - before
    assert created and all(p == out or out in p.parents for p in created)
    outputs = sorted(p.name for p in out.iterdir())
    for name in outputs:
        assert not name.startswith((".", "-", " ")), name
        assert_clean_chars(name, name)
        assert len(name.encode()) <= 255
    # Each input got its own outputs (names may be merged only when safe_stem collides).
    assert len([n for n in outputs if n.endswith(".epub")]) == len(ODD_NAMES)


def test_inputs_whose_output_names_collide_are_refused_before_work(tmp_path: Path) -> None:
    good = bf.text_pdf(tmp_path / "seed.pdf")
    srcs = [tmp_path / n for n in ("..pdf", " .pdf", "book.pdf")]  # all become book.*
    for p in srcs:
        os.link(good, p)
    proc = run("convert", *map(str, srcs), "-o", str(tmp_path / "out"), "--no-cache")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "would all write book.*" in line and "..pdf" in line
    assert not (tmp_path / "out").exists()


def test_edited_book_json_cannot_write_outside(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = bf.text_pdf(tmp_path / "book.pdf")
    assert run("convert", str(good), "-o", str(out), "--no-cache", "--to", "txt").returncode == 0
    data = json.loads((out / "book.book.json").read_text())
    data["book"]["meta"]["source"] = "../../../escaped"
    data["book"]["meta"]["title"] = "/tmp/absolute/evil"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))
    out2 = tmp_path / "nested" / "out2"
    before = set(tmp_path.rglob("*"))
    proc = run("export", str(edited), "-o", str(out2), "--to", "epub,html,txt,md")
    assert proc.returncode == 0, proc.stderr
    created = set(tmp_path.rglob("*")) - before
    assert all(p in (out2, out2.parent) or out2 in p.parents for p in created), created
    assert not Path("/tmp/absolute").exists()
    with zipfile.ZipFile(next(out2.glob("*.epub"))) as z:
        assert all(".." not in n.split("/") and not n.startswith("/") for n in z.namelist())


def test_edited_book_json_cannot_pull_in_pictures_from_outside_the_cache(tmp_path: Path) -> None:
    """A book.json naming some other folder as its work dir (a picture of the user's, say)
    does not get that picture into the e-book, unless the user names the folder."""
    from PIL import Image

    out = tmp_path / "out"
    good = bf.text_pdf(tmp_path / "book.pdf")
    assert run("convert", str(good), "-o", str(out), "--no-cache", "--to", "txt").returncode == 0
    private = tmp_path / "private"
    private.mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(private / "secret.png")
    secret = (private / "secret.png").read_bytes()
    data = json.loads((out / "book.book.json").read_text())
    data["book"]["work_dir"] = str(private)
    data["book"]["pages"][0]["image"] = "secret.png"  # the cover
    fig = {"t": "Figure", "image": "secret.png", "caption": "Hình 1", "width": 64, "height": 48}
    data["book"]["flow"].append(fig)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data))

    def pictures(out_dir: Path) -> list[bytes]:
        with zipfile.ZipFile(next(out_dir.glob("*.epub"))) as z:
            return [z.read(n) for n in z.namelist() if n.endswith((".png", ".jpg"))]

    refused = run("export", str(edited), "-o", str(tmp_path / "o1"), "--to", "epub,html")
    assert refused.returncode == 0, refused.stderr
    assert "outside digitize's cache" in refused.stderr and "--work-dir" in refused.stderr
    assert pictures(tmp_path / "o1") == []
    assert "Hình 1" in (tmp_path / "o1" / "book.html").read_text()  # the caption is kept
    named = run("export", str(edited), "-o", str(tmp_path / "o2"), "--work-dir", str(private))
    assert named.returncode == 0 and "outside" not in named.stderr
    assert secret in pictures(tmp_path / "o2")
    cached = run("export", str(edited), "-o", str(tmp_path / "o3"), "--cache-dir", str(tmp_path))
    assert cached.returncode == 0 and secret in pictures(tmp_path / "o3")


# ---------------------------------------------------------------- no shell, ever

SHELL = re.compile(
    r"shell\s*=\s*True|os\.system\s*\(|os\.popen\s*\(|commands\.getoutput|pty\.spawn"
)


def test_subprocesses_never_go_through_a_shell() -> None:
    hits = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in sorted((ROOT / "digitize").rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if SHELL.search(line)
    ]
    assert hits == []
    # The guard itself works: it would catch the forms it looks for.
    assert SHELL.search("subprocess.run(cmd, shell=True)") and SHELL.search("os.system('x')")
