"""Fit the field-confidence model (pipeline/confidence.py) on the development corpus; check it on held-out.

    .venv/bin/python scripts/calibrate_confidence.py --dev corpus/dev --carriers scan200,scan150grey,fax,photo \\
        [--heldout corpus/heldout] [--write configs/confidence.yaml]

Each file of each carrier folder is converted in this process with the model switched off (no field is
flagged for its confidence), every field of every form is paired with the truth (`pipeline eval`'s
comparison) and its evidence (confidence.features) kept with whether it was right. A logistic model is
fitted by Newton's method (L2 `--l2`); the threshold is the lowest probability above which the
development fields are wrong at most `--target` of the time (0.2%, the issue's bound: it flagged 10.5%
of the dev split's scanned fields when fitted; 64% at 6d541d7; the trade-off table is in docs/benchmarks.md).
`--save` keeps the observations (features, right or wrong, each field's label and value read) for `--load`.
Only fields of scanned pages are fitted: a text layer's fields take `text_layer`, the held-out
digital corpus's accuracy.
With --heldout, the same is measured there: error above the threshold, share flagged, and the
calibration table (predicted against observed, by bins). Nothing here is tuned on the held-out set.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import confidence  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.evaluate import Report, _by_file, compare_form, form_key, pair_forms  # noqa: E402
from pipeline.runner import convert, discover  # noqa: E402


def observations(split: Path, carriers: list[str], work: Path) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(features, right?, field labels, values read) of every field the truth holds, over the carriers' files."""
    truth = json.loads((split / "truth.json").read_text(encoding="utf-8"))["forms"]
    by_file = _by_file(truth)
    neutral = confidence.Calibration(weights=[0.0] * len(confidence.FEATURES), threshold=0.0)
    confidence._CALIBRATION[:] = [neutral]
    xs, ys, labels, values = [], [], [], []
    for carrier in carriers:
        settings = load_settings(overrides={"out_dir": str(work / carrier)})
        for item in discover([split / carrier], settings):
            path = item.file  # a photographed form's first part names it (and its parts are joined)
            try:
                doc = convert(path, settings, item.stem, item.parts, item.missing)
            except PipelineError:
                doc = None
            forms = [f for f in (doc.forms if doc else []) if f.record]
            expected = by_file.get(path.name, [])
            pairs, _extra = pair_forms([f.record for f in forms], expected)
            by_record = {id(f.record): f for f in forms}
            for want, got in pairs:
                report = Report()
                form = by_record.get(id(got)) if got is not None else None
                feats = form.features if form is not None else {}
                read = dict(confidence.record_paths(got)) if got is not None else {}

                def seen(p, right, _expected=None, feats=feats, read=read, label=f"{carrier}/{path.name} {form_key(want)}"):
                    if p in feats:
                        xs.append(feats[p])
                        ys.append(1.0 if right else 0.0)
                        labels.append(f"{label} {p}")
                        values.append(json.dumps(read.get(p), ensure_ascii=False))
                report.observer = seen
                compare_form(report, "", want, got or {})
            print(f"{carrier}/{path.name}: {len(forms)} form(s)", file=sys.stderr)
    confidence._CALIBRATION.clear()
    return np.array(xs, dtype=float), np.array(ys), labels, values


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Logistic regression by damped Newton steps; the bias is not penalised."""
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0

    def loss(w):
        z = np.clip(x @ w, -50, 50)
        return float(np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.sum(penalty * w * w))

    w = np.zeros(x.shape[1])
    current = loss(w)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hess, grad)
        scale = 1.0
        while scale > 1e-4 and loss(w - scale * step) > current:
            scale /= 2
        w = w - scale * step
        previous, current = current, loss(w)
        if previous - current < 1e-8:
            break
    return w


def probabilities(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x @ w, -50, 50)))


def choose_threshold(p: np.ndarray, y: np.ndarray, target: float) -> float:
    """The lowest threshold whose fields above it are wrong at most `target` of the time."""
    order = np.argsort(-p)
    wrong = np.cumsum(1 - y[order])
    rate = wrong / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(rate <= target)
    if not len(ok):
        return 1.0
    last = ok.max()  # the most fields kept while the error above stays within target
    return float(p[order][last])


def summary(p: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    above = p >= threshold
    bins = []
    for lo, hi in ((0, .5), (.5, .8), (.8, .9), (.9, .95), (.95, .99), (.99, .999), (.999, 1.01)):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            bins.append({"p": f"{lo}-{min(hi, 1)}", "fields": int(sel.sum()), "predicted": round(float(p[sel].mean()), 4),
                         "observed": round(float(y[sel].mean()), 4)})
    return {"fields": int(len(y)), "wrong": int((1 - y).sum()), "flagged_share": round(float((~above).mean()), 4),
            "wrong_above_threshold": round(float((1 - y[above]).mean()) if above.any() else 0.0, 5),
            "wrong_caught": round(float(((~above) & (y == 0)).sum() / max(1, (y == 0).sum())), 4), "bins": bins}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", type=Path, required=True)
    ap.add_argument("--heldout", type=Path)
    ap.add_argument("--carriers", default="pdf,scan200,scan150grey,fax,photo")
    ap.add_argument("--target", type=float, default=0.002)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--write", type=Path)
    ap.add_argument("--save", type=Path, help="keep the observations (npz) for another fit")
    ap.add_argument("--load", type=Path, nargs="+", help="fit from saved observations instead of converting")
    args = ap.parse_args()
    carriers = args.carriers.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        if args.load:
            loaded = [np.load(path) for path in args.load]
            x = np.concatenate([d["x"] for d in loaded])
            y = np.concatenate([d["y"] for d in loaded])
        else:
            x, y, labels, values = observations(args.dev, carriers, Path(tmp) / "dev")
            if args.save:
                np.savez(args.save, x=x, y=y, labels=np.array(labels), values=np.array(values))
        scanned = ~np.array([confidence.read_from_text_layer(list(row)) for row in x], dtype=bool)
        x, y = x[scanned], y[scanned]  # text-layer fields take calibration.text_layer, not the model
        w = fit(x, y, args.l2)
        p = probabilities(x, w)
        threshold = choose_threshold(p, y, args.target)
        measured = {"dev": summary(p, y, threshold)}
        if args.heldout:
            hx, hy, _labels, _values = observations(args.heldout, carriers, Path(tmp) / "heldout")
            keep = ~np.array([confidence.read_from_text_layer(list(row)) for row in hx], dtype=bool)
            hx, hy = hx[keep], hy[keep]
            measured["heldout"] = summary(probabilities(hx, w), hy, threshold)
    model = confidence.Calibration(weights=[float(v) for v in w], threshold=threshold, max_error_above=args.target,
                                   fitted_on=f"{args.dev.name}: {','.join(carriers)}", measured=measured)
    print(json.dumps({"weights": dict(zip(confidence.FEATURES, np.round(w, 3).tolist())), "threshold": threshold,
                      "measured": measured}, ensure_ascii=False, indent=1))
    if args.write:
        model.dump(args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
