"""Issue 15: large type is read again at the body's size; the surer reading is kept."""

from __future__ import annotations

from pathlib import Path

from helpers.layout_pages import block, line
from PIL import Image

from digitize.stages.ocr._rescale import reread_large


def _page(tmp_path: Path, conf: float) -> tuple[Path, list]:  # type: ignore[type-arg]
    img = tmp_path / "p.png"
    Image.new("L", (1600, 1200), 255).save(img)
    title = line("VI TRI DIA LI", 200, 100, h=90)
    title = title.__class__(
        tuple(w.__class__(w.text, w.bbox, conf) for w in title.words), title.bbox
    )
    body = [line("một dòng chữ thường của thân bài", 200, 300 + 45 * k) for k in range(6)]
    return img, [block("heading", [title]), block("paragraph", body)]


def test_a_surer_reading_at_body_size_replaces_the_large_line(tmp_path: Path) -> None:
    img, blocks = _page(tmp_path, 0.6)
    seen: list[tuple[int, int]] = []

    def read(p: Path) -> list[list[tuple[str, tuple[int, int, int, int], float]]]:
        with Image.open(p) as im:
            seen.append(im.size)
        return [[("VỊ", (10, 5, 40, 35), 93.0), ("TRÍ", (50, 5, 90, 35), 91.0)]]

    out = reread_large(blocks, img, read, tmp_path)
    assert len(seen) == 1 and seen[0][1] < 60  # scaled down to about body height
    new = out[0].lines[0]
    assert new.text == "VỊ TRÍ" and min(w.conf for w in new.words) > 0.9
    assert out[0].bbox.x0 >= 200 - 40 and out[0].bbox.y1 <= 100 + 90 * 1.5  # mapped back
    assert out[1] == blocks[1]  # body lines are not re-read
    assert not list(tmp_path.glob("reread-*"))  # the scratch image is gone


def test_a_less_sure_reading_keeps_the_first(tmp_path: Path) -> None:
    img, blocks = _page(tmp_path, 0.9)
    out = reread_large(blocks, img, lambda p: [[("VI", (0, 0, 9, 9), 50.0)]], tmp_path)
    assert out == blocks
