"""Paper and scanner damage shared by the scan makers (scripts/make_scans.py, scripts/corpus/scans.py).

Two stages, as on a real desk. The *paper*: the digital page rendered (`render`), then stamped
with a 公章 (`seal_mask` laid on with `multiply_ink`: ring, star, the unit's name along the arc,
unevenly inked; a pen signature is scripts/corpus/ink.py's). The *scan*: `scan` = skew and
offset on the glass (the frame grows past 2°), then `sensor` = uneven lighting (and, where
given, a soft `shadow`: a hand, a curling page, a fold), greyscale/photocopy contrast, dust
specks, optical blur, sensor noise; the writer's JPEG (`save_pdf`) does the rest. A photo of
the sheet on a desk (`on_desk`: keystoned, turned) and a fax's black-and-white (`binarise`) are
stages of their own.

Every random choice comes from a NumPy generator seeded by a stable name (`seeded`), so a rerun
gives byte-identical files.
"""

from __future__ import annotations

import datetime
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont

BOLD_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"   # letters the seal
PT_PER_CM = 72 / 2.54
SEAL_DIAMETER_PT = 4.0 * PT_PER_CM        # a 4 cm 公章

SEAL_RED = np.array([0.86, 0.12, 0.16], np.float32)    # 印泥, before multiply
BLUE_INK = np.array([0.12, 0.22, 0.72], np.float32)    # ballpoint / stamp pad
SEAL_GREY = np.array([0.35, 0.35, 0.37], np.float32)   # a seal on a copy of a copy

# Fixed dates so the PDF writer gives identical bytes on every run.
FIXED_TIME = datetime.datetime(2026, 1, 20, 9, 0, 0).timetuple()


def seeded(*parts) -> np.random.Generator:
    """A generator seeded by a stable name (Python's hash() is salted per run)."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))




# ==================================================================== paper

def render(pdf_path: Path, index: int, dpi: int) -> np.ndarray:
    """The page as float32 RGB in [0, 1]."""
    page = pdfium.PdfDocument(str(pdf_path))[index]
    rgb = page.render(scale=dpi / 72).to_pil().convert("RGB")
    return np.asarray(rgb, np.float32) / 255.0


def multiply_ink(img: np.ndarray, mask: np.ndarray, centre_px: tuple, ink: np.ndarray) -> None:
    """Lay ink over the page like a translucent stamp: page * (1 - a*(1 - ink)).

    Multiply keeps black print black under the ink, as on paper.
    """
    h, w = mask.shape
    x0, y0 = int(round(centre_px[0] - w / 2)), int(round(centre_px[1] - h / 2))
    ix0, iy0 = max(x0, 0), max(y0, 0)
    ix1, iy1 = min(x0 + w, img.shape[1]), min(y0 + h, img.shape[0])
    if ix0 >= ix1 or iy0 >= iy1:
        return
    m = mask[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0, None]
    img[iy0:iy1, ix0:ix1] *= 1.0 - m * (1.0 - ink)


def smooth_field(rng: np.random.Generator, shape: tuple, sigma: float) -> np.ndarray:
    """Blotchy low-frequency noise in [0, 1] (ink density, light falloff)."""
    f = cv2.GaussianBlur(rng.standard_normal(shape).astype(np.float32), (0, 0), sigma)
    return (f - f.min()) / (np.ptp(f) + 1e-6)


def star_points(cx: float, cy: float, r_out: float) -> list[tuple]:
    r_in = r_out * 0.382                    # a regular five-pointed star
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        r = r_out if k % 2 == 0 else r_in
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def seal_shape(diam: float, text: str) -> Image.Image:
    """Coverage mask (L) of a 公章: ring, star, the unit's name along the upper arc.

    Drawn at 3x and reduced, because PIL's ellipse and polygon are not
    antialiased.
    """
    ss = 3
    D = diam * ss
    size = int(D * 1.06) + 2
    c = size / 2
    img = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(img)
    R = D / 2
    draw.ellipse([c - R, c - R, c + R, c + R], outline=255, width=max(1, round(0.032 * D)))
    draw.polygon(star_points(c, c, 0.175 * D), fill=255)

    # Characters are tall and narrow (as engraved on seals), bold, set
    # clockwise along ~220° of the upper arc with their feet to the centre.
    # A long name is cut smaller, as an engraver fits it into the same arc.
    font_px = round(0.165 * D * min(1.0, 10 / max(len(text), 1)))
    font = ImageFont.truetype(BOLD_FONT, font_px)
    r_text = R - 0.032 * D - 0.03 * D - font_px / 2
    span = math.radians(220)
    n = len(text)
    for i, ch in enumerate(text):
        glyph = Image.new("L", (font_px * 2, font_px * 2), 0)
        ImageDraw.Draw(glyph).text((font_px, font_px), ch, font=font, fill=255, anchor="mm",
                                   stroke_width=max(1, round(font_px * 0.045)), stroke_fill=255)
        glyph = glyph.crop(glyph.getbbox())
        glyph = glyph.resize((max(1, round(glyph.width * 0.78)), round(font_px * 1.05)), Image.LANCZOS)
        phi = -span / 2 + i * span / max(n - 1, 1)         # clockwise from 12 o'clock
        glyph = glyph.rotate(-math.degrees(phi), resample=Image.BICUBIC, expand=True)
        gx = c + r_text * math.sin(phi) - glyph.width / 2
        gy = c - r_text * math.cos(phi) - glyph.height / 2
        layer = Image.new("L", img.size, 0)
        layer.paste(glyph, (round(gx), round(gy)))
        img = ImageChops.lighter(img, layer)
    return img.resize((size // ss, size // ss), Image.LANCZOS)


def seal_mask(diam_px: float, angle: float, rng: np.random.Generator, text: str) -> np.ndarray:
    """The seal as ink coverage in [0, 1]: rotated, unevenly inked, pitted."""
    shape = seal_shape(diam_px, text).rotate(angle, resample=Image.BICUBIC, expand=True)
    m = np.asarray(shape, np.float32) / 255.0
    return ink_texture(m, rng, diam_px / 12, bleed=max(0.5, diam_px / 500)) * 0.9


def ink_texture(m: np.ndarray, rng: np.random.Generator, blotch: float, bleed: float) -> np.ndarray:
    """A hand stamp never inks evenly: one side pressed harder, blotches,
    tiny unprinted pits, and the ink bleeds a little into the paper."""
    density = 0.55 + 0.45 * smooth_field(rng, m.shape, blotch)
    yy, xx = np.mgrid[0:m.shape[0], 0:m.shape[1]].astype(np.float32)
    yy, xx = yy / m.shape[0], xx / m.shape[1]
    a = rng.uniform(0, 2 * math.pi)
    tilt = 0.85 + 0.3 * (np.cos(a) * (xx - 0.5) + np.sin(a) * (yy - 0.5))
    pits = rng.random(m.shape) < 0.06
    pits = cv2.GaussianBlur(pits.astype(np.float32), (0, 0), 0.7) > 0.2
    m = m * np.clip(density * tilt, 0.3, 1.0) * np.where(pits, 0.35, 1.0)
    return np.clip(cv2.GaussianBlur(m, (0, 0), bleed), 0, 1)



# ===================================================================== scan

@dataclass(frozen=True)
class Profile:
    """How one output set is scanned (ranges are drawn per page)."""

    name: str
    dpi: int
    grey: bool
    angle: tuple[float, float]         # |skew| in degrees
    shift_pt: float                    # max offset of the sheet on the glass
    blur_200: tuple[float, float]      # Gaussian sigma at 200 dpi (scaled with dpi)
    noise: tuple[float, float]         # sensor noise sigma, in [0, 1] units
    specks_per_mpx: tuple[int, int]    # dust / toner specks
    quality: tuple[int, int]           # JPEG quality
    lighting: str                      # "scanner" (gradient) or "photo" (vignette)
    fill: tuple[int, int, int]         # what the scanner sees beyond the sheet



EXPAND_OVER_DEG = 2.0   # a sheet skewed further is scanned on larger glass: the frame grows to hold it


def skew(img: np.ndarray, angle: float, shift_px: tuple, fill: tuple) -> np.ndarray:
    """Rotate the sheet about the page centre and slide it; the frame stays A4 up to
    EXPAND_OVER_DEG (the corners lost are margin), beyond it grows so that no print is cut off."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += shift_px
    if abs(angle) > EXPAND_OVER_DEG:
        c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
        grow_w = int(math.ceil(w * c + h * s - w + 2 * abs(shift_px[0]))) // 2 * 2
        grow_h = int(math.ceil(w * s + h * c - h + 2 * abs(shift_px[1]))) // 2 * 2
        m[:, 2] += (grow_w / 2, grow_h / 2)
        w, h = w + grow_w, h + grow_h
    border = tuple(float(v) / 255 for v in fill)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=border)


def lighting(shape: tuple, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A smooth brightness field (multiplied in): scanner lamp falloff or phone vignette."""
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w - 0.5, yy / h - 0.5
    a = rng.uniform(0, 2 * math.pi)
    ramp = np.cos(a) * xx + np.sin(a) * yy          # -0.7 .. 0.7
    if kind == "scanner":
        depth = rng.uniform(0.04, 0.09)             # lamp/lid falloff across the sheet
        field_ = 1.0 - depth * (ramp + 0.7) / 1.4
        info = {"gradient_deg": round(math.degrees(a)), "gradient_depth": round(depth, 3)}
    else:
        cx, cy = rng.uniform(-0.15, 0.15, 2)
        vig = rng.uniform(0.25, 0.4)               # darker corners, light from one side
        depth = rng.uniform(0.08, 0.14)
        r2 = ((xx - cx) ** 2 + (yy - cy) ** 2) / 0.5
        field_ = (1.0 - vig * r2) * (1.0 - depth * (ramp + 0.7) / 1.4) * 1.03
        info = {"vignette": round(vig, 3), "gradient_deg": round(math.degrees(a)),
                "gradient_depth": round(depth, 3)}
    return np.clip(field_, 0.5, 1.05).astype(np.float32), info


SHADOWS = ("hand", "curl", "fold")


def shadow(shape: tuple, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A soft shadow (multiplied in, 1 = none) the lamp's falloff does not make.

    hand: the photographer's hand or phone, a blurred blob reaching in from one edge;
    curl: a page that does not lie flat, dark along one edge and fading inwards over a curved band;
    fold: a crease or a lid not quite shut, a soft dark band across the sheet.
    """
    h, w = shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w, yy / h                       # 0..1 across the frame
    edge = int(rng.integers(4))                   # 0 top, 1 right, 2 bottom, 3 left
    inward = (yy, 1 - xx, 1 - yy, xx)[edge]       # 0 at that edge, 1 at the opposite one
    along = (xx, yy, xx, yy)[edge]
    depth = float(rng.uniform(0.25, 0.5))
    if kind == "hand":
        at, reach, breadth = rng.uniform(0.2, 0.8), rng.uniform(0.12, 0.3), rng.uniform(0.12, 0.25)
        d = ((along - at) / breadth) ** 2 + (inward / reach) ** 2
        field_ = np.exp(-d ** 1.5)
        info = {"kind": kind, "edge": ("top", "right", "bottom", "left")[edge], "depth": round(depth, 3),
                "at": round(float(at), 3), "reach": round(float(reach), 3), "breadth": round(float(breadth), 3)}
    else:
        width = float(rng.uniform(0.04, 0.12))
        bow = float(rng.uniform(-0.03, 0.03))     # the band curves a little
        start = 0.0 if kind == "curl" else float(rng.uniform(0.25, 0.75))
        band = inward - start - bow * np.sin(math.pi * along)
        field_ = np.exp(-np.maximum(band, 0) / width) if kind == "curl" else np.exp(-(band / width) ** 2)
        if kind == "curl":
            field_ = np.where(band < 0, 1.0, field_)
        info = {"kind": kind, "edge": ("top", "right", "bottom", "left")[edge], "depth": round(depth, 3),
                "band": round(width, 3), "from": round(start, 3)}
    small = cv2.GaussianBlur(field_.astype(np.float32), (0, 0), max(1.0, min(h, w) / 200))
    return (1.0 - depth * small).astype(np.float32), info


def photocopy(grey: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """Photocopier look: crushed blacks, blown-out paper, one faint drum streak."""
    black, white = rng.uniform(0.06, 0.12), rng.uniform(0.86, 0.92)
    out = np.clip((grey - black) / (white - black), 0, 1) ** 1.15
    x = int(rng.integers(grey.shape[1] // 8, grey.shape[1] * 7 // 8))
    streak = np.exp(-((np.arange(grey.shape[1]) - x) / 2.0) ** 2).astype(np.float32) * 0.07
    out = out * (1 - streak[None, :])
    return out, {"contrast_black": round(black, 3), "contrast_white": round(white, 3), "streak_x_px": x}


def specks(img: np.ndarray, per_mpx: int, rng: np.random.Generator) -> int:
    """Dust on the glass: small dark dots; a few white dropouts inside the print."""
    h, w = img.shape[:2]
    n = int(per_mpx * h * w / 1e6)
    ys, xs = rng.integers(0, h - 2, n), rng.integers(0, w - 2, n)
    big = rng.random(n) < 0.3
    dark = rng.uniform(0.15, 0.55, n).astype(np.float32)
    for y, x, b, v in zip(ys, xs, big, dark):
        img[y:y + 1 + b, x:x + 1 + b] = np.minimum(img[y:y + 1 + b, x:x + 1 + b], v)
    ws = rng.integers(0, [h, w], (n // 4, 2))       # salt
    img[ws[:, 0], ws[:, 1]] = np.maximum(img[ws[:, 0], ws[:, 1]], 0.9)
    return n


def scan(paper: np.ndarray, profile: Profile, rng: np.random.Generator,
         shade: tuple[str, np.random.Generator] | None = None) -> tuple[Image.Image, dict]:
    """The scanner stage on a float RGB sheet; returns the 8-bit image and what was done.

    `shade`: a shadow's kind and its own generator (`shadow`), laid on with the lamp's light."""
    k = profile.dpi / 72
    angle = float(rng.uniform(*profile.angle) * rng.choice([-1, 1]))
    shift = rng.uniform(-profile.shift_pt, profile.shift_pt, 2) * k
    img = skew(paper, angle, tuple(shift), profile.fill)
    info: dict = {"skew_deg": round(angle, 2), "offset_px": [round(float(s)) for s in shift]}
    return sensor(img, profile, rng, info, shade)


def sensor(img: np.ndarray, profile: Profile, rng: np.random.Generator, info: dict,
           shade: tuple[str, np.random.Generator] | None = None) -> tuple[Image.Image, dict]:
    """What the lamp, the glass and the sensor add: lighting (and a shadow), grey/photocopy,
    specks, blur, noise."""
    light, info["lighting"] = lighting(img.shape, profile.lighting, rng)
    if shade:
        dark, info["shadow"] = shadow(img.shape, *shade)
        light = light * dark
    img = img * light[..., None]

    if profile.grey:
        img = img @ np.array([0.299, 0.587, 0.114], np.float32)     # a red seal turns grey
        img, info["photocopy"] = photocopy(img, rng)

    info["specks"] = specks(img, int(rng.integers(*profile.specks_per_mpx, endpoint=True)), rng)
    sigma = float(rng.uniform(*profile.blur_200))
    img = cv2.GaussianBlur(img, (0, 0), sigma * profile.dpi / 200)
    info["blur_sigma_px"] = round(sigma * profile.dpi / 200, 2)
    noise = float(rng.uniform(*profile.noise))
    img = img + rng.standard_normal(img.shape, np.float32) * noise
    info["noise_sigma"] = round(noise * 255, 1)

    out = Image.fromarray((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8), "L" if profile.grey else "RGB")
    return out, info


# ==================================================================== writers


def binarise(image: Image.Image) -> Image.Image:
    """A fax's black and white: one global Otsu threshold over the noisy grey page."""
    grey = np.asarray(image.convert("L"))
    _, bw = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return Image.fromarray(bw).convert("1", dither=Image.Dither.NONE)


def desk(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """A dark, grained table top (float RGB) for a photographed sheet to lie on."""
    h, w = shape
    # one wood or laminate tone: a brown, darker or lighter, a little warmer or cooler
    base = (np.array([0.42, 0.31, 0.22]) * rng.uniform(0.45, 1.0) * rng.uniform(0.92, 1.08, 3)).astype(np.float32)
    # Both fields drawn small and stretched: a desk has no fine detail worth a full-size blur.
    grain = smooth_field(rng, (max(1, h // 4), max(1, w // 32)), 1.5)   # streaks along one direction
    grain = cv2.resize(grain, (w, h), interpolation=cv2.INTER_LINEAR)
    blotch = smooth_field(rng, (max(1, h // 16), max(1, w // 16)), min(h, w) / 192)
    blotch = cv2.resize(blotch, (w, h), interpolation=cv2.INTER_LINEAR)
    tone = 0.75 + 0.25 * grain + 0.2 * (blotch - 0.5)
    return np.clip(base[None, None, :] * tone[..., None], 0, 1).astype(np.float32)


def on_desk(sheet: np.ndarray, rng: np.random.Generator, keystone: tuple[float, float],
            margin: tuple[float, float] = (0.05, 0.09),
            rotation: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, dict]:
    """The sheet photographed from a little off-axis: a desk around it, one side foreshortened.

    The page's corners go to a quadrilateral inside a frame a margin larger than the sheet;
    the side nearest the camera keeps its length, the far side is `keystone` shorter (a share
    of its length; any of the four sides, so both axes), and every corner moves a little more
    by hand-held wobble. `rotation`: |degrees| the sheet lies turned on the desk, either way
    (drawn only when given; the frame then grows to keep the desk all round).
    """
    h, w = sheet.shape[:2]
    mx, my = (rng.uniform(*margin, 2) * [w, h]).astype(np.float32)
    out_w, out_h = int(round(w + 2 * mx)), int(round(h + 2 * my))
    quad = np.array([[mx, my], [mx + w, my], [mx + w, my + h], [mx, my + h]], np.float32)
    short = float(rng.uniform(*keystone))
    side = int(rng.integers(4))                    # 0 top, 1 right, 2 bottom, 3 left is far
    a, b = side, (side + 1) % 4                    # the far side's two corners
    mid = (quad[a] + quad[b]) / 2
    quad[a] += (mid - quad[a]) * short
    quad[b] += (mid - quad[b]) * short
    quad += rng.normal(0, 0.006, (4, 2)).astype(np.float32) * [w, h]
    turn = None
    if rotation[1] > 0:
        turn = float(rng.uniform(*rotation) * rng.choice([-1, 1]))
        c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
        centre = quad.mean(0)
        quad = ((quad - centre) @ np.array([[c, s], [-s, c]], np.float32) + centre).astype(np.float32)
        quad += np.array([mx, my], np.float32) - quad.min(0)
        out_w, out_h = (int(math.ceil(v)) for v in quad.max(0) + [mx, my])
    m = cv2.getPerspectiveTransform(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32), quad)
    page = cv2.warpPerspective(sheet, m, (out_w, out_h), flags=cv2.INTER_CUBIC)
    cover = cv2.warpPerspective(np.ones((h, w), np.float32), m, (out_w, out_h), flags=cv2.INTER_LINEAR)
    img = page + (1 - cover[..., None]) * desk((out_h, out_w), rng)
    info = {"keystone": round(short, 3), "far_side": ("top", "right", "bottom", "left")[side],
            "corners_px": [[round(float(x)), round(float(y))] for x, y in quad]}
    if turn is not None:
        info["rotation_deg"] = round(turn, 2)
    return np.clip(img, 0, 1), info


def save_pdf(images: list[Image.Image], path: Path, dpi: int, quality: int, producer: str = "make_scans.py") -> None:
    """Image-only PDF, one JPEG (DCTDecode) per page, page size = pixels / dpi; fixed dates.

    Black-and-white pages go in as CCITT G4 (as a fax machine stores them), which takes no quality.
    """
    jpeg = {} if images[0].mode == "1" else {"quality": quality}
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=float(dpi),
                   creationDate=FIXED_TIME, modDate=FIXED_TIME, producer=producer, title=path.stem, **jpeg)
