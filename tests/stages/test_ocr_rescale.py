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

    old = blocks[0].lines[0]
    pad = 0.3 * old.bbox.height

    def read(p: Path) -> list[list[tuple[str, tuple[int, int, int, int], float]]]:
        with Image.open(p) as im:
            seen.append(im.size)
            scale = im.height / (old.bbox.height + 2 * pad)
        left = int(old.bbox.x0 - pad)
        texts = ["VỊ", "TRÍ", "ĐỊA", "LÍ"]
        return [
            [
                (
                    t,
                    (round((w.bbox.x0 - left) * scale), 5, round((w.bbox.x1 - left) * scale), 35),
                    92.0,
                )
                for t, w in zip(texts, old.words, strict=True)
            ]
        ]

    out = reread_large(blocks, img, read, tmp_path)
    assert len(seen) == 1 and seen[0][1] < 60  # scaled down to about body height
    new = out[0].lines[0]
    assert new.text == "VỊ TRÍ ĐỊA LÍ" and min(w.conf for w in new.words) > 0.9
    # only the reading changed: every word keeps its box, the line its geometry
    assert [w.bbox for w in new.words] == [w.bbox for w in old.words]
    assert new.bbox == old.bbox and out[0].bbox == blocks[0].bbox
    assert out[1] == blocks[1]  # body lines are not re-read
    assert not list(tmp_path.glob("reread-*"))  # the scratch image is gone


def test_words_read_where_the_first_reading_had_none_keep_the_line(tmp_path: Path) -> None:
    """A reading that does not fall on the first reading's words (fewer words, or words in
    the margin) cannot be put in their boxes: the line stays as it was."""
    img, blocks = _page(tmp_path, 0.6)
    out = reread_large(blocks, img, lambda p: [[("VỊ", (10, 5, 40, 35), 93.0)]], tmp_path)
    assert out == blocks


def test_a_less_sure_reading_keeps_the_first(tmp_path: Path) -> None:
    img, blocks = _page(tmp_path, 0.9)
    out = reread_large(blocks, img, lambda p: [[("VI", (0, 0, 9, 9), 50.0)]], tmp_path)
    assert out == blocks
