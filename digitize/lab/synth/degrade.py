"""Scan-like degradation of clean renders, deterministic by seed, with box mapping.

Geometric steps (skew, quarter turns) return the affine map they applied, so truth boxes can be
carried into the degraded image's pixel coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Affine = np.ndarray  # 2x3, clean pixel -> degraded pixel


@dataclass(frozen=True)
class Level:
    skew: float  # max |angle| in degrees
    blur: float  # Gaussian sigma in pixels (0: none)
    noise: float  # Gaussian noise sigma in grey levels
    speckle: float  # share of pixels flipped to dark/light dots
    contrast: tuple[int, int]  # black and white points after the scan
    jpeg: int | None  # JPEG quality of a lossy round trip
    gutter: float  # darkening at the gutter (0..1)
    illumination: float  # amplitude of an uneven-lighting gradient (0..1)


LEVELS: dict[str, Level | None] = {
    "clean": None,
    "light": Level(0.8, 0.6, 5.0, 0.0004, (22, 238), 70, 0.30, 0.06),
    "heavy": Level(2.5, 1.1, 12.0, 0.002, (60, 205), 35, 0.65, 0.22),
}


def degrade(
    img: np.ndarray, level: str, rng: np.random.Generator, gutter_x: float | None
) -> tuple[np.ndarray, Affine, float]:
    """Degrade a grey page; returns (image, clean->degraded affine, skew angle in degrees).

    `gutter_x` is where the binding is (0 or the width for one page, the middle of a spread),
    None for no gutter shadow. Angles are counter-clockwise, as OpenCV measures them.
    """
    ident = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    p = LEVELS[level]
    if p is None:
        return img, ident, 0.0
    h, w = img.shape
    angle = float(rng.uniform(-p.skew, p.skew))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += rng.uniform(-0.006, 0.006, size=2) * (w, h)
    out = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    f = out.astype(np.float32) / 255.0
    xs = np.arange(w, dtype=np.float32)
    if gutter_x is not None and p.gutter > 0:
        shade = 1.0 - p.gutter * np.exp(-np.abs(xs - gutter_x) / (0.035 * w))
        f *= shade[None, :]
    if p.illumination > 0:
        gy, gx = rng.uniform(-1, 1, size=2)
        yy = (np.arange(h, dtype=np.float32) / h - 0.5)[:, None]
        xx = (xs / w - 0.5)[None, :]
        grad = 1.0 - p.illumination * (0.5 + 0.5 * (gx * xx + gy * yy))
        f *= grad
    if p.blur > 0:
        f = cv2.GaussianBlur(f, (0, 0), p.blur)
    lo, hi = p.contrast
    g = lo + f * (hi - lo)
    g += rng.normal(0.0, p.noise, size=g.shape).astype(np.float32)
    u = rng.random(size=g.shape, dtype=np.float32)
    g[u < p.speckle / 2] = lo
    g[(u >= p.speckle / 2) & (u < p.speckle)] = hi
    out = np.clip(g, 0, 255).astype(np.uint8)
    if p.jpeg:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out, m, angle


def quarter_turn(img: np.ndarray, degrees: int) -> tuple[np.ndarray, Affine]:
    """Rotate by 90/180/270 degrees CLOCKWISE (a page scanned sideways or upside down)."""
    h, w = img.shape
    k = (degrees // 90) % 4
    if k == 0:
        return img, np.array([[1.0, 0, 0], [0, 1.0, 0]])
    out = np.ascontiguousarray(np.rot90(img, -k))
    if k == 1:  # (x, y) -> (h - y, x)
        m = np.array([[0.0, -1.0, h], [1.0, 0.0, 0.0]])
    elif k == 2:
        m = np.array([[-1.0, 0.0, w], [0.0, -1.0, h]])
    else:  # (x, y) -> (y, w - x)
        m = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w]])
    return out, m


def compose(second: Affine, first: Affine) -> Affine:
    """The affine doing `first` then `second`."""
    a = np.vstack([first, [0, 0, 1]])
    b = np.vstack([second, [0, 0, 1]])
    return (b @ a)[:2]


def map_box(box: tuple[float, ...] | list[float], m: Affine, size: tuple[int, int]) -> list[int]:
    """Axis-aligned box around the mapped corners, clipped to the (width, height) image."""
    x0, y0, x1, y1 = box
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    q = pts @ m.T
    w, h = size
    return [
        int(max(0, np.floor(q[:, 0].min()))),
        int(max(0, np.floor(q[:, 1].min()))),
        int(min(w, np.ceil(q[:, 0].max()))),
        int(min(h, np.ceil(q[:, 1].max()))),
    ]
