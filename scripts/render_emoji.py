#!/usr/bin/python3
"""Render the NCA target emoji in data/ from Debian's Noto Color Emoji font.

Noto Color Emoji is a CBDT bitmap font with a single strike at 109 px, so it is loaded at size
109, drawn in colour, cropped to the bounding box of its alpha channel and saved as RGBA PNG with
the longest side at most 128 px (the C++ side resizes to the experiment's target size). Resizing,
where needed, is done on premultiplied colour so transparent pixels do not bleed dark fringes.

Usage: scripts/render_emoji.py [--font PATH] [--out DIR]
Needs python3-pil and fonts-noto-color-emoji (Debian); the system python3 has both.
"""
import argparse
import pathlib

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
STRIKE = 109  # the only size the font's bitmaps exist at
MAX_SIDE = 128
EMOJI = {
    "lizard": "\U0001F98E",
    "butterfly": "\U0001F98B",
    "mushroom": "\U0001F344",
    "smiley": "\U0001F600",
    "maple_leaf": "\U0001F341",
}


def render(font, char):
    canvas = Image.new("RGBA", (2 * STRIKE, 2 * STRIKE), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((STRIKE // 2, STRIKE // 2), char, font=font, embedded_color=True)
    bbox = canvas.getchannel("A").getbbox()
    if bbox is None:
        raise SystemExit(f"font has no glyph for U+{ord(char):04X}")
    image = canvas.crop(bbox)
    scale = MAX_SIDE / max(image.size)
    if scale < 1:
        size = tuple(max(1, round(side * scale)) for side in image.size)
        image = image.convert("RGBa").resize(size, Image.Resampling.BOX).convert("RGBA")
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", default=FONT)
    parser.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent / "data"))
    args = parser.parse_args()
    font = ImageFont.truetype(args.font, STRIKE)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, char in EMOJI.items():
        path = out / f"{name}.png"
        image = render(font, char)
        image.save(path, optimize=True)
        print(f"{path}: U+{ord(char):04X} {image.size[0]}x{image.size[1]} {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
