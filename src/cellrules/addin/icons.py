"""The add-in's icon, drawn in code and encoded as PNG.

Owns the picture Excel shows for the add-in (manifest ``IconUrl``,
``HighResolutionIconUrl`` and the ``bt:Image`` sizes): a blue rounded tile
with a white three-by-three grid of cells, the middle one gold (a cell
decided by a rule). Drawn at any size with 4×4 supersampling for smooth
edges, and encoded with zlib only, so the same size always gives the same bytes.
"""
from __future__ import annotations

import functools
import struct
import zlib

BLUE = (31, 78, 120)
WHITE = (255, 255, 255)
GOLD = (255, 192, 0)
SAMPLES = 4


def _colour(x: float, y: float) -> tuple[tuple[int, int, int], float]:
    """Colour and coverage (0 or 1) of a point in the unit square."""
    radius = 0.18
    cx, cy = min(max(x, radius), 1 - radius), min(max(y, radius), 1 - radius)
    if (x - cx) ** 2 + (y - cy) ** 2 > radius ** 2:
        return BLUE, 0.0  # outside the rounded tile: transparent
    margin, gap = 0.17, 0.045
    cell = (1 - 2 * margin - 2 * gap) / 3
    for row in range(3):
        for col in range(3):
            left, top = margin + col * (cell + gap), margin + row * (cell + gap)
            if left <= x < left + cell and top <= y < top + cell:
                return (GOLD if (row, col) == (1, 1) else WHITE), 1.0
    return BLUE, 1.0


def _pixel(px: int, py: int, size: int) -> bytes:
    red = green = blue = alpha = 0.0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            (r, g, b), a = _colour((px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size)
            red, green, blue, alpha = red + r * a, green + g * a, blue + b * a, alpha + a
    if alpha == 0:
        return b"\0\0\0\0"
    return bytes((round(red / alpha), round(green / alpha), round(blue / alpha), round(255 * alpha / SAMPLES ** 2)))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=None)
def png(size: int) -> bytes:
    """The icon as an RGBA PNG of ``size`` × ``size`` pixels."""
    if not 1 <= size <= 512:
        raise ValueError(f"icon size {size} is not between 1 and 512")
    rows = b"".join(b"\0" + b"".join(_pixel(x, y, size) for x in range(size)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9))
            + _chunk(b"IEND", b""))
