"""Builds the Teams app package: the two icons (drawn here with the standard library, so
no imaging package is needed) and ``guardian-teams.zip`` with the manifest for your bot.

    python deploy/teams/build.py --app-id <MICROSOFT_APP_ID> [--website https://...]

Upload the zip in Teams (Apps > Manage your apps > Upload an app) or the Teams admin centre.
Run with no arguments it only redraws the icons."""

from __future__ import annotations

import argparse
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCENT = (0x1F, 0x4E, 0x79)
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SAMPLES = 4  # per axis, for smooth edges


def inside_shield(u: float, v: float) -> bool:
    """The shield: a flat top, straight sides, then narrowing to a point (u in -1..1, v in 0..1)."""
    if v < 0.12 or v > 0.9:
        return False
    half = 0.62 if v <= 0.5 else 0.62 * (1 - ((v - 0.5) / 0.4) ** 1.6)
    return abs(u) <= half


def inside_check(u: float, v: float) -> bool:
    """A check mark inside the shield (the colour icon only)."""
    def near(ax: float, ay: float, bx: float, by: float) -> bool:
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
        return ((u - ax - t * dx) ** 2 + (v - ay - t * dy) ** 2) ** 0.5 < 0.07
    return near(-0.3, 0.48, -0.06, 0.66) or near(-0.06, 0.66, 0.34, 0.3)


def draw(size: int, color: bool) -> list[bytes]:
    """RGBA rows: colour icon = white shield with an accent check on an accent square;
    outline icon = white shield on transparent, as Teams requires."""
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            shield = check = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    u = ((x + (sx + 0.5) / SAMPLES) / size) * 2 - 1
                    v = (y + (sy + 0.5) / SAMPLES) / size
                    if inside_shield(u, v):
                        shield += 1
                        check += color and inside_check(u, v)
            cover, mark = shield / SAMPLES**2, check / SAMPLES**2
            if color:
                white = cover - mark
                row += bytes(round(c * (1 - white) + 255 * white) for c in ACCENT) + b"\xff"
            else:
                row += b"\xff\xff\xff" + bytes([round(255 * cover)])
        rows.append(bytes(row))
    return rows


def png(rows: list[bytes], size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def icons() -> None:
    (HERE / "color.png").write_bytes(png(draw(192, color=True), 192))
    (HERE / "outline.png").write_bytes(png(draw(32, color=False), 32))


def package(app_id: str, website: str) -> Path:
    if not GUID.match(app_id):
        raise SystemExit(f"--app-id must be the bot's Microsoft App ID (a GUID), not {app_id!r}")
    text = (HERE / "manifest.json").read_text().replace("{{MICROSOFT_APP_ID}}", app_id)
    text = text.replace("{{WEBSITE_URL}}", website.rstrip("/"))
    json.loads(text)
    out = HERE / "guardian-teams.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", text)
        zf.write(HERE / "color.png", "color.png")
        zf.write(HERE / "outline.png", "outline.png")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-id", help="the Azure Bot's Microsoft App ID")
    parser.add_argument("--website", default="https://example.com/guardian", help="your Guardian docs page")
    args = parser.parse_args()
    icons()
    if args.app_id:
        print(package(args.app_id, args.website))  # noqa: T201


if __name__ == "__main__":
    main()
