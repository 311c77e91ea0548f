"""Train the comparator glyph classifier (pipeline/engines/glyphs.py) on rendered, degraded glyphs.

    PYTHONPATH=. python scripts/train_glyphs.py                 # train, evaluate, write the model
    PYTHONPATH=. python scripts/train_glyphs.py --dev /tmp/dev12  # also score real scanned crops

Each sample is a line start — one of ≥ ≤ > < =, alone or followed by digits (`≥95%`) — typeset
in one training face at 8-14 pt and 100-300 dpi, then damaged like a scan, photocopy or fax
(sub-pixel stroke weight, rotation ±3°, contrast loss, specks, blur σ 0.3-1.6 px, noise, JPEG
50-80, sometimes Otsu black-and-white). The first glyph is cut out by the runtime's own
`first_glyph` and the network (one hidden layer, numpy, Adam) learns from `features`.

Two faces never seen in training (HELD_OUT) measure generalisation across typefaces. DroidFallback
has none of these glyphs (the corpus draws them from ZenHei), so it is skipped. `--dev` scores the
model on real scans of the development corpus (symbols located via the digital PDF's words and the
scan's recorded skew); those crops are only measured, never trained on.
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from pipeline.engines.glyphs import MODEL, SIZE, features, first_glyph, glyph_box, load_model, predict_proba
from scripts.corpus.fonts import FONTS

CLASSES = ["≥", "≤", ">", "<", "="]
HELD_OUT = ["KaitiGB", "MicroHei"]
SKIPPED = ["DroidFallback"]  # lacks ≥ ≤ > < = and digits
TRAIN_FONTS = [f for f in FONTS if f not in HELD_OUT + SKIPPED]
SUFFIXES = ["", "", "", "95%", "90%", "100%", "98%", "85", "4.3", "0.5", "1", "3", "5", "7", "10", "60", "2"]
SEED = 20260120
HIDDEN = 96


# ================================================================ rendering and damage

_fonts: dict = {}


def font(name: str, px: int) -> ImageFont.FreeTypeFont:
    key = (name, px)
    if key not in _fonts:
        path, index = FONTS[name]
        _fonts[key] = ImageFont.truetype(path, px, index=index)
    return _fonts[key]


def render_line(name: str, text: str, pt: float, dpi: float, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """The line as float grey in [0, 1] (1 = paper), rendered directly (hinted) or 4× and reduced,
    and the x (px) where the first character's advance ends."""
    scale = 4 if rng.random() < 0.7 else 1
    px = max(6, int(round(pt * dpi / 72 * scale)))
    f = font(name, px)
    x0, y0, x1, y1 = f.getbbox(text)
    pad = int(0.6 * px)
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    w, h = w + (-w) % scale, h + (-h) % scale
    img = Image.new("L", (w, h), 255)
    ImageDraw.Draw(img).text((pad - x0 + int(rng.integers(scale)), pad - y0 + int(rng.integers(scale))),
                             text, font=f, fill=int(rng.integers(0, 40)))
    a = np.asarray(img, np.float32) / 255.0
    end = (pad - x0 + f.getlength(text[0])) / scale
    if scale > 1:
        r = rng.random()  # stroke weight: ±¼..½ px at the final resolution
        k = np.ones((int(rng.integers(1, 3)),) * 2 if r < 0.5 else (2, 2), np.uint8)
        if r < 0.2:
            a = cv2.erode(a, k)  # ink spreads (dark wins)
        elif r < 0.35:
            a = cv2.dilate(a, k)  # ink thins
        a = cv2.resize(a, (w // scale, h // scale), interpolation=cv2.INTER_AREA)
    elif rng.random() < 0.2:
        a = cv2.erode(a, np.ones((2, 1) if rng.random() < 0.5 else (1, 2), np.uint8))
    return a, end


def damage(a: np.ndarray, rng: np.random.Generator, dpi: float, *, blur=(0.3, 1.6), jpeg=(50, 80),
           p_fax=0.2, rotate=3.0, grey_copy=0.5) -> np.ndarray:
    """Scanner, photocopier and fax damage on a float line image; returns uint8 grey.

    The blur's σ (px) is drawn in `blur`, its upper part shrunk below 200 dpi (an optical blur
    is a share of a millimetre, fewer pixels at a lower resolution)."""
    h, w = a.shape
    if rotate:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-rotate, rotate)), 1.0)
        m[:, 2] += rng.uniform(-0.5, 0.5, 2)
        a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=1.0)
    if rng.random() < grey_copy:  # photocopy: crushed blacks, blown paper, gamma
        black, white = rng.uniform(0.04, 0.14), rng.uniform(0.84, 0.95)
        a = np.clip((a - black) / (white - black), 0, 1) ** rng.uniform(1.0, 1.3)
    if rng.random() < 0.6:  # contrast loss: grey paper, faded ink
        ink, paper = rng.uniform(0.0, 0.35), rng.uniform(0.75, 1.0)
        a = ink + (paper - ink) * a
    for _ in range(int(rng.integers(0, 4))):  # dust
        y, x = int(rng.integers(0, h - 1)), int(rng.integers(0, w - 1))
        s = int(rng.integers(1, 3))
        a[y:y + s, x:x + s] = np.minimum(a[y:y + s, x:x + s], rng.uniform(0.15, 0.6))
    lo, hi = blur
    a = cv2.GaussianBlur(a, (0, 0), lo + float(rng.random()) * (hi - lo) * min(1.0, dpi / 200))
    a = a + rng.standard_normal(a.shape).astype(np.float32) * rng.uniform(0.0, 0.03)
    g = (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)
    if jpeg and rng.random() < 0.85:
        ok, buf = cv2.imencode(".jpg", g, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(jpeg[0], jpeg[1] + 1))])
        g = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if rng.random() < p_fax:
        _, g = cv2.threshold(g, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return g


def sample(name: str, cls: int, rng: np.random.Generator, dpi=None, **kw) -> np.ndarray | None:
    """One damaged line start's first glyph; None when the damage erased the symbol itself
    (the first ink would then be a digit, under the symbol's label)."""
    text = CLASSES[cls] + SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    pt = float(rng.uniform(8, 14))
    d = float(dpi if dpi is not None else rng.uniform(100, 300))
    line, end = render_line(name, text, pt, d, rng)
    grey = damage(line, rng, d, **kw)
    box = glyph_box(grey)
    if box is None or box[0] > end + 1:
        return None
    return first_glyph(grey, SIZE)


def dataset(fonts: list[str], per_class: int, rng: np.random.Generator, **kw) -> tuple[np.ndarray, np.ndarray, list]:
    xs, ys, fs = [], [], []
    for name in fonts:
        for cls in range(len(CLASSES)):
            n = tries = 0
            while n < per_class and tries < 3 * per_class:
                tries += 1
                g = sample(name, cls, rng, **kw)
                if g is None:
                    continue
                xs.append(features(g))
                ys.append(cls)
                fs.append(name)
                n += 1
    return np.array(xs, np.float32), np.array(ys), fs


# ================================================================ the network


def train(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, epochs=40, lr=2e-3, decay=1e-4) -> dict:
    mean, std = x.mean(0), x.std(0) + 1e-3
    xn = (x - mean) / std
    d, k = x.shape[1], len(CLASSES)
    params = {"w1": rng.standard_normal((d, HIDDEN)).astype(np.float32) * np.sqrt(2 / d),
              "b1": np.zeros(HIDDEN, np.float32),
              "w2": rng.standard_normal((HIDDEN, k)).astype(np.float32) * np.sqrt(1 / HIDDEN),
              "b2": np.zeros(k, np.float32)}
    m = {n: np.zeros_like(p) for n, p in params.items()}
    v = {n: np.zeros_like(p) for n, p in params.items()}
    onehot = np.eye(k, dtype=np.float32)[y]
    step = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        rate = lr * 0.5 * (1 + np.cos(np.pi * epoch / epochs))
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            xb, tb = xn[idx], onehot[idx]
            if rng.random() < 0.5:  # input dropout
                xb = xb * (rng.random(xb.shape) > 0.1)
            h = np.maximum(xb @ params["w1"] + params["b1"], 0)
            z = h @ params["w2"] + params["b2"]
            z = np.exp(z - z.max(1, keepdims=True))
            p = z / z.sum(1, keepdims=True)
            dz = (p - tb) / len(idx)
            dh = (dz @ params["w2"].T) * (h > 0)
            grads = {"w2": h.T @ dz + decay * params["w2"], "b2": dz.sum(0),
                     "w1": xb.T @ dh + decay * params["w1"], "b1": dh.sum(0)}
            step += 1
            for n, g in grads.items():
                m[n] = 0.9 * m[n] + 0.1 * g
                v[n] = 0.999 * v[n] + 0.001 * g * g
                params[n] -= rate * (m[n] / (1 - 0.9 ** step)) / (np.sqrt(v[n] / (1 - 0.999 ** step)) + 1e-8)
    return {"mean": mean, "std": std, **params}


def per_class(pred: np.ndarray, y: np.ndarray) -> dict:
    out = {c: round(float((pred[y == i] == i).mean()), 4) for i, c in enumerate(CLASSES) if (y == i).any()}
    out["all"] = round(float((pred == y).mean()), 4)
    out["n"] = int(len(y))
    return out


# held-out conditions: what the brief asks (150 dpi grey with blur; 200 dpi), fixed damage ranges
CONDITIONS = {
    "150grey_blur": dict(dpi=150, blur=(0.5, 1.3), jpeg=(60, 70), p_fax=0.0, rotate=1.5, grey_copy=1.0),
    "200": dict(dpi=200, blur=(0.3, 1.2), jpeg=(65, 75), p_fax=0.0, rotate=1.5, grey_copy=0.0),
}


def held_out(model: dict, fonts: list[str], per_class_n: int, seed: int) -> dict:
    out = {}
    for cond, kw in CONDITIONS.items():
        for name in fonts:
            x, y, _ = dataset([name], per_class_n, np.random.default_rng([seed, len(cond), len(name)]), **kw)
            out[f"{name}@{cond}"] = per_class(predict_proba(x, model).argmax(1), y)
    return out


# ================================================================ real scanned crops (--dev)

CARRIERS = {"scan150grey": 150, "scan200": 200, "fax": 200}


def dev_crops(root: Path):
    """(carrier, font, label, grey line crop) for each word starting with a comparator."""
    import pdfplumber
    import pypdfium2 as pdfium

    index = json.loads((root / "index.json").read_text())
    scans = json.loads((root / "scans.json").read_text())
    for pdf in sorted((root / "pdf").glob("*.pdf")):
        face = index[f"pdf/{pdf.name}"]["font"]
        with pdfplumber.open(pdf) as doc:
            words = [[w for w in page.extract_words() if w["text"][0] in CLASSES] for page in doc.pages]
        for carrier, dpi in CARRIERS.items():
            path = root / carrier / pdf.name
            if not path.exists():
                continue
            k = dpi / 72
            scan_doc = pdfium.PdfDocument(str(path))
            for i, page_words in enumerate(words):
                if not page_words:
                    continue
                grey = np.asarray(scan_doc[i].render(scale=k).to_pil().convert("L"))
                info = scans[f"{carrier}/{pdf.name}"]["pages"][i]["scan"]
                h, w = grey.shape
                m = cv2.getRotationMatrix2D((w / 2, h / 2), info["skew_deg"], 1.0)
                m[:, 2] += info["offset_px"]
                for word in page_words:
                    line = locate(grey, m, word, k)
                    yield carrier, face, word["text"][0], line
            scan_doc.close()


def locate(grey: np.ndarray, m: np.ndarray, word: dict, k: float, margin_pt=6.0) -> np.ndarray | None:
    """The word's text line on the scan: its box moved by the scan's skew, grown, rules removed."""
    corners = np.array([[word["x0"], word["top"], 1], [word["x1"], word["top"], 1],
                        [word["x0"], word["bottom"], 1], [word["x1"], word["bottom"], 1]]) * [k, k, 1]
    pts = corners @ m.T
    mg = margin_pt * k
    x0, y0 = (pts.min(0) - mg).astype(int)
    x1, y1 = (pts.max(0) + mg).astype(int)
    win = grey[max(0, y0):y1, max(0, x0):x1].copy()
    if win.size == 0 or int(win.max()) - int(win.min()) < 40:
        return None
    _, bw = cv2.threshold(win, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(0.8 * win.shape[1])), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(0.8 * win.shape[0]))))
    rules = cv2.morphologyEx(bw, cv2.MORPH_OPEN, hk) | cv2.morphologyEx(bw, cv2.MORPH_OPEN, vk)
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    win[rules > 0] = 255
    bw[rules > 0] = 0
    rows = np.flatnonzero(bw.any(1))
    if not rows.size:
        return None
    # the band of ink rows (gaps under a third of the text height close) nearest the word's middle
    close = max(2, int(0.3 * (word["bottom"] - word["top"]) * k))
    bands, start = [], rows[0]
    for a, b in zip(rows[:-1], rows[1:]):
        if b - a > close:
            bands.append((start, a))
            start = b
    bands.append((start, rows[-1]))
    mid = (pts[:, 1].mean() - max(0, y0))
    top, bottom = min(bands, key=lambda t: 0 if t[0] <= mid <= t[1] else min(abs(t[0] - mid), abs(t[1] - mid)))
    line = win[max(0, top - 2):bottom + 3]
    # start the line at the word's own left edge (the mapping is good to a pixel or two), so that
    # text just before it on the same line (`完成率≥95%` split by a gap) is not taken for it
    cols = bw[max(0, top - 2):bottom + 3].any(0)
    x = max(0, min(int(pts[:, 0].min() - max(0, x0)) - 2, cols.size - 1))
    while x > 0 and cols[x]:
        x -= 1
    return line[:, x:]


def dev_eval(model: dict, root: Path, dump: Path | None = None) -> dict:
    from pipeline.engines.symbols import read_comparator

    tallies: dict = {}
    shape_ok: dict = {}
    confusions: dict = {}
    for n, (carrier, face, label, line) in enumerate(dev_crops(root)):
        g = None if line is None else first_glyph(line, SIZE)
        pred = "∅" if g is None else CLASSES[int(predict_proba(features(g)[None], model)[0].argmax())]
        for key in (carrier, f"{carrier}/{face}"):
            t = tallies.setdefault(key, [0, 0])
            t[0] += pred == label
            t[1] += 1
        box = None if line is None else glyph_box(line)
        if box is not None:  # the shape rules (pipeline/engines/symbols.py) on the same glyph
            x0, y0, x1, y1 = box
            _, bw = cv2.threshold(line, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
            r = read_comparator(bw[max(0, y0 - 1):y1 + 1, max(0, x0 - 1):x1 + 1])
            s = shape_ok.setdefault(carrier, [0, 0])
            s[0] += r is not None and r.text == label
            s[1] += 1
        if pred != label:
            confusions[f"{carrier} {face} {label}->{pred}"] = confusions.get(f"{carrier} {face} {label}->{pred}", 0) + 1
            if dump is not None and line is not None:
                dump.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(dump / f"{n:04d}_{carrier}_{face}_{ord(label)}_{ord(pred)}.png"), line)
    report = {k: {"acc": round(a / t, 4), "n": t} for k, (a, t) in sorted(tallies.items())}
    return {"classifier": report,
            "shape_rules": {k: {"acc": round(a / t, 4), "n": t} for k, (a, t) in shape_ok.items()},
            "errors": confusions}


# ================================================================ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-class", type=int, default=700, help="training samples per class per face")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=MODEL)
    ap.add_argument("--dev", type=Path, help="development corpus to score real scanned crops on")
    ap.add_argument("--dump", type=Path, help="write the dev crops it gets wrong here")
    ap.add_argument("--eval-only", action="store_true", help="score the model at --out, train nothing")
    args = ap.parse_args()

    if not args.eval_only:
        rng = np.random.default_rng(args.seed)
        t = time.process_time()
        x, y, fs = dataset(TRAIN_FONTS, args.per_class, rng)
        print(f"rendered {len(x)} samples in {time.process_time() - t:.0f} s CPU")
        val = rng.random(len(x)) < 0.15
        t = time.process_time()
        model = train(x[~val], y[~val], rng, epochs=args.epochs)
        print(f"trained in {time.process_time() - t:.0f} s CPU")
        # measured as shipped: the weight matrices are stored as float16
        model = {k: v.astype(np.float16).astype(np.float32) if k.startswith("w") else v for k, v in model.items()}
        accuracy = {"validation": per_class(predict_proba(x[val], model).argmax(1), y[val]),
                    "held_out": held_out(model, HELD_OUT, 150, args.seed)}
        dev = None
        if args.dev:  # measured only: real crops never enter training
            dev = dev_eval(model, args.dev, args.dump)
            accuracy["dev_real_crops"] = {"corpus": str(args.dev), **dev["classifier"]}
            accuracy["dev_shape_rules"] = dev["shape_rules"]
        meta = {"classes": CLASSES, "size": SIZE, "features": "ink pixels + 4x4x8 gradient histograms",
                "hidden": HIDDEN, "training_fonts": TRAIN_FONTS, "held_out_fonts": HELD_OUT,
                "seed": args.seed, "samples": int((~val).sum()), "date": datetime.date.today().isoformat(),
                "script": "scripts/train_glyphs.py", "licence": "generated by formpipe; the project's own",
                "accuracy": accuracy}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.out, meta=np.array(json.dumps(meta, ensure_ascii=False)),
                            **{k: v.astype(np.float16 if k.startswith("w") else np.float32) for k, v in model.items()})
        print(json.dumps(accuracy, ensure_ascii=False, indent=1))
        print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB)")
        if dev:
            print(json.dumps(dev["errors"], ensure_ascii=False, indent=1))
        return
    model = load_model(str(args.out))
    print(json.dumps(model["meta"], ensure_ascii=False, indent=1))
    if args.dev:
        print(json.dumps(dev_eval(model, args.dev, args.dump), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
