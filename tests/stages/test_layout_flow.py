from __future__ import annotations

from pathlib import Path

from _layout_pages import block, book, figure, line, page, para
from PIL import Image

from digitize.model import Figure, Heading, PageBreak, Paragraph
from digitize.stage import Context
from digitize.stages.layout.flow import FlowBuilder


def test_pages_give_breaks_paragraphs_headings_and_skip_furniture() -> None:
    p0 = page(
        0,
        [
            block("header", [line("Running head", 800, 50)]),
            block("heading", [line("Chương 1", 200, 200, h=60)], level=1),
            para(["Một đoạn văn", "hai dòng."], 200, 400),
            block("page_number", [line("7", 1000, 2900)]),
        ],
        label="7",
    )
    out = FlowBuilder().process_book(book([p0]), Context())
    assert out.flow[0] == PageBreak(0, "7")
    assert Heading("Chương 1", 1) in out.flow
    assert Paragraph("Một đoạn văn hai dòng.") in out.flow
    assert not any("Running" in getattr(i, "text", "") for i in out.flow)
    assert not any(getattr(i, "text", "") == "7" for i in out.flow)


def test_figure_needs_an_image_and_is_cropped_under_work_dir(tmp_path: Path) -> None:
    Image.new("RGB", (400, 600), "white").save(tmp_path / "p0.png")
    fig = figure(50, 60, 250, 160)
    with_img = page(0, [fig], size=(400, 600), image="p0.png")
    no_img = page(1, [fig], size=(400, 600))
    out = FlowBuilder().process_book(book([with_img, no_img], str(tmp_path)), Context())
    figs = [i for i in out.flow if isinstance(i, Figure)]
    assert len(figs) == 1
    assert figs[0].image.startswith("figures/") and (tmp_path / figs[0].image).is_file()
    assert (figs[0].width, figs[0].height) == (200, 100)
    with Image.open(tmp_path / figs[0].image) as im:
        assert im.size == (200, 100)
