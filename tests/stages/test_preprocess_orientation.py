from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest
from helpers.preprocess_pages import have_font, load, make_page, render_page, speckle

from digitize.errors import MissingDependency
from digitize.stage import Context
from digitize.stages.preprocess import orientation
from digitize.stages.preprocess.orientation import Orientation
from digitize.testing import run_page_stage

pytestmark = pytest.mark.skipif(not have_font(), reason="DejaVu Serif not installed")

# Counter-clockwise turn applied to the clean page -> clockwise turn that undoes it.
TURNS = {
    0: None,
    90: cv2.ROTATE_90_COUNTERCLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_CLOCKWISE,
}


@pytest.fixture(scope="module")
def clean():
    return render_page()[0]


@pytest.mark.tesseract
@pytest.mark.parametrize("ccw", [0, 90, 180, 270])
def test_each_orientation_turned_upright(tmp_path, clean, ccw):
    code = TURNS[ccw]
    turned = clean if code is None else cv2.rotate(clean, code)
    page, ctx = make_page(tmp_path, turned)
    stage = Orientation()
    stage.check(Context())

    (out,) = run_page_stage(stage, page, ctx)

    assert out.rotation == ccw  # clockwise degrees applied undo the counter-clockwise turn
    assert out.steps[-1].name == "preprocess.orientation"
    if ccw == 0:
        assert not out.warnings
        assert out.image == page.image
    else:
        assert out.image != page.image
        assert out.warnings[0].startswith(f"orientation: turned {ccw}° clockwise (OSD confidence")
        assert out.size == (clean.shape[1], clean.shape[0])
        assert np.array_equal(load(tmp_path, out.image), clean)  # lossless, exactly upright
        assert np.array_equal(load(tmp_path, page.image), turned)  # input untouched


@pytest.mark.tesseract
def test_blank_page_left_alone_with_warning(tmp_path):
    page, ctx = make_page(tmp_path, np.full((800, 600), 255, np.uint8))
    out = Orientation().process_page(page, ctx)
    assert out.image == page.image and out.rotation == 0
    assert any("orientation" in w for w in out.warnings)


@pytest.mark.tesseract
def test_low_confidence_is_not_applied_without_reading(tmp_path, clean):
    page, ctx = make_page(tmp_path, cv2.rotate(clean, cv2.ROTATE_180))
    options = orientation.OrientationOptions(min_confidence=1000.0, compare_reads=False)
    out = Orientation(options).process_page(page, ctx)
    assert out.image == page.image and out.rotation == 0
    assert "180°" in out.warnings[0] and "left as is" in out.warnings[0]


@pytest.mark.tesseract
def test_low_confidence_is_settled_by_reading_both_ways(tmp_path, clean):
    """OSD unsure: the page is read as is and turned; the turned page reads far better."""
    page, ctx = make_page(tmp_path, cv2.rotate(clean, cv2.ROTATE_180))
    out = Orientation(orientation.OrientationOptions(min_confidence=1000.0)).process_page(page, ctx)
    assert out.rotation == 180 and np.array_equal(load(tmp_path, out.image), clean)
    (note,) = out.warnings
    assert note.startswith("orientation: turned 180° clockwise") and "unsure" in note
    assert "Tesseract reads it" in note


@pytest.mark.tesseract
def test_an_upright_page_osd_doubts_stays_upright(tmp_path, clean, monkeypatch):
    """OSD unsure and wrong (suggests 180° on an upright page): reading keeps it as is."""
    page, ctx = make_page(tmp_path, clean)
    monkeypatch.setattr(orientation, "detect_any", lambda *a: (180, 2.0))
    options = orientation.OrientationOptions(precheck=False)
    out = Orientation(options).process_page(page, ctx)
    assert out.image == page.image and out.rotation == 0
    assert "left as is" in out.warnings[0] and "Tesseract reads it" in out.warnings[0]


def test_check_reports_missing_tesseract(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(orientation, "have_tesserocr", lambda: False)
    with pytest.raises(MissingDependency) as e:
        Orientation().check(Context())
    assert "tesseract-ocr-osd" in (e.value.hint or "")


def test_check_reports_missing_osd_data(monkeypatch):
    monkeypatch.setattr(orientation, "osd_tessdata", lambda: None)
    with pytest.raises(MissingDependency) as e:
        Orientation().check(Context())
    assert "osd" in str(e.value)


@pytest.mark.tesseract
def test_upright_page_skips_osd(tmp_path, clean, monkeypatch):
    """The cheap line check answers for an upright page: OSD (~0.25 s) never runs."""
    page, ctx = make_page(tmp_path, clean)
    monkeypatch.setattr(orientation, "detect_any", lambda *a: pytest.fail("OSD ran"))
    out = Orientation().process_page(page, ctx)
    assert out.image == page.image and out.rotation == 0 and not out.warnings


@pytest.mark.tesseract
@pytest.mark.parametrize("code", [cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE])
def test_turned_page_is_never_taken_for_upright(clean, code):
    from digitize.stages.preprocess._upright import line_stats, looks_upright

    assert looks_upright(clean, 300)
    assert not looks_upright(cv2.rotate(clean, code), 300), line_stats(cv2.rotate(clean, code), 300)


@pytest.mark.parametrize("code", [None, cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE])
def test_a_short_page_is_judged_on_stronger_evidence(code):
    """A chapter's last four lines: upright on a top-heavy ratio twice the usual, so OSD
    need not run; turned, still never taken for upright."""
    from digitize.stages.preprocess._upright import MIN_LINES, line_stats, looks_upright

    text = ["Bài học kết thúc ở đây. Học sinh đọc lại đoạn văn và trả lời câu hỏi cuối bài."]
    short, _ = render_page(text)
    img = short if code is None else cv2.rotate(short, code)
    lines = line_stats(short, 300)[1]
    assert 3 <= lines < MIN_LINES
    assert looks_upright(img, 300) == (code is None), line_stats(img, 300)


@pytest.mark.tesseract
def test_cli_fallback_when_tesserocr_is_missing(tmp_path, clean, monkeypatch):
    monkeypatch.setattr(orientation, "_osd_api", lambda tessdata: None)
    page, ctx = make_page(tmp_path, cv2.rotate(clean, cv2.ROTATE_90_CLOCKWISE))
    out = Orientation().process_page(page, ctx)
    assert out.rotation == 270
    assert np.array_equal(load(tmp_path, out.image), clean)


@pytest.mark.parametrize("code", [None, cv2.ROTATE_180, cv2.ROTATE_90_CLOCKWISE])
def test_a_speckled_page_is_judged_on_its_letters_not_its_specks(clean, code):
    """A heavy scan's speckle (here ~250 specks/in²) flattened the row profile, so an upright page
    went to OSD; lined up under rows, specks could make an upside-down page look top-heavy.
    The line check drops specks first: upright passes, turned never does."""
    from digitize.stages.preprocess._upright import line_stats, looks_upright

    noisy = speckle(clean, n=6000, seed=7, max_r=1)  # ~250 specks/in²
    img = noisy if code is None else cv2.rotate(noisy, code)
    assert looks_upright(img, 300) == (code is None), line_stats(img, 300)
