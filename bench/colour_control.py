#!/usr/bin/env python3
"""Colour-control benchmark: palette variants of the held-out rendering, smooth vs posterised.

    python bench/colour_control.py [--checkpoint RUN] [--out DIR] [--palettes NAME ...] [--retrain]
                                   [--sheet PNG] [--also IMAGE ...] [--sweep]
                                   [--hints [--hint-task lines|bw] [--hint-cases NAME ...] [--hint-runs DIR]]

Protocol: without ``--checkpoint``, train the ``fast`` preset on the bundled sample into
DIR (``train.py --preset fast --out DIR``; a finished run already there is reused unless
``--retrain``). Render the sample's held-out view and recolour it onto each palette with
``generate_styles.py``'s library in modes ``smooth`` (the default) and ``posterize``, plus
three ablations of the smooth transfer: ``smooth, no floor`` (``--structure-floor 0``: lightness
moves all the way), ``curve (old smooth)`` (the default until 2026-11-27: the monotone
lightness curve on the local mean lightness, 24 px, no floor) and ``paper``: the transfer as Chang et al. 2015 write it (monotone
lightness curve on each pixel, RBF sigma = mean palette distance, colours paired in lightness
order, no floor). ``--also IMAGE ...``: more renderings (e.g. the held-out renderings
``bench/quality.py`` leaves in its run folders, ``heldout.png``) scored the same way, one
summary line each, so the settings are not judged on one picture. ``--sweep``: on every rendering,
the smooth transfer's settings tried when it was redesigned -- colour pairing (colour /
lightness order) x lightness transfer (curve per pixel, curve on the local mean over 8 or 24 px,
palette offsets over 8 px), each with the structure floor -- and how many variants meet all
three goals. Scores per variant against the base rendering
(``variants/palette.py``): structure = SSIM of L* (goal >= 0.95); no new edges = correlation
of Lab gradient magnitudes (goal >= 0.9); adherence = the variant's own k-colour palette
(k-means in Lab, k = palette size) matched one-to-one (Hungarian) to the target, mean
CIEDE2000 (goal <= 8). Prints a Markdown table; ``--sheet`` also copies the smooth
variants' contact sheet there (docs/styles.md's picture: ``--sheet docs/styles.png``).

``--hints``: also the colour-hint table (0, 1, 5 and 10 hints per development case, the ceilings
and the one-hint test), by ``bench/colour_hints.py``'s protocol, which documents it: a hint model is
trained per case into ``DIR/hints`` (a few minutes each on a 2-core CPU) unless ``--hint-runs``
names the ``--out`` of an earlier run; ``--hint-task bw`` gives black-and-white photos instead of
line drawings.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.cases import CASES  # noqa: E402
from bench.colour_hints import main as colour_hints  # noqa: E402
from bench.machine import describe_machine  # noqa: E402
from config.color_palettes import PALETTES, get_palette  # noqa: E402
from variants.palette import SmoothTransfer, apply_posterize, smooth_variant, variant_scores  # noqa: E402
from process.render import RenderConfig  # noqa: E402
from variants.styles import StylesConfig, generate_styles  # noqa: E402
from utils.cli import run_cli  # noqa: E402
from utils.errors import InputError  # noqa: E402
from utils.image_io import read_photo, write_image  # noqa: E402

GOALS = {"structure_ssim": (">=", 0.95), "gradient_corr": (">=", 0.9), "palette_delta_e00": ("<=", 8.0)}
PAPER = SmoothTransfer(lightness_transfer="curve", detail_sigma=0, rbf_scale=1.0, match="lightness", structure_floor=0)
NO_FLOOR = SmoothTransfer(structure_floor=0)
CURVE = SmoothTransfer(lightness_transfer="curve", detail_sigma=24, structure_floor=0)   # the default until 2026-11-27
ABLATIONS = {"smooth, no floor": NO_FLOOR, "curve (old smooth)": CURVE, "paper": PAPER}
ORDER = ("smooth", "smooth, no floor", "curve (old smooth)", "posterize", "paper")
SWEEP = {(match, how, sigma): SmoothTransfer(match=match, lightness_transfer=how, detail_sigma=sigma)
         for match in ("colour", "lightness")
         for how, sigma in (("curve", 0.0), ("curve", 8.0), ("curve", 24.0), ("offsets", 8.0))}


def ensure_model(out: Path, retrain: bool) -> tuple[Path, str]:
    """A fast-preset run in ``out``: trained now, or reused when one is already there."""
    if (out / "checkpoints" / "last.safetensors").is_file() and (out / "config.json").is_file() and not retrain:
        return out, f"reused the fast-preset run in {out} (--retrain to train again)"
    cmd = [sys.executable, str(ROOT / "train.py"), "--preset", "fast", "--out", str(out), "--quiet"]
    out.parent.mkdir(parents=True, exist_ok=True)
    log_path = out.parent / f"{out.name}_train.log"
    t = time.time()
    with open(log_path, "w") as log:
        done = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise InputError(f"training the fast preset failed (exit {done.returncode}); see {log_path}")
    return out, f"trained `python train.py --preset fast --out {out}` in {time.time() - t:.0f} s"


def ok(key: str, value: float) -> bool:
    op, goal = GOALS[key]
    return value >= goal if op == ">=" else value <= goal


def summary(sub: list[dict]) -> str:
    met = {k: sum(ok(k, r[k]) for r in sub) for k in GOALS}
    rng = {k: (min(r[k] for r in sub), max(r[k] for r in sub)) for k in GOALS}
    return (f"SSIM {rng['structure_ssim'][0]:.3f}-{rng['structure_ssim'][1]:.3f} "
            f"({met['structure_ssim']}/{len(sub)} meet the goal), gradient corr {rng['gradient_corr'][0]:.2f}-"
            f"{rng['gradient_corr'][1]:.2f} ({met['gradient_corr']}/{len(sub)}), adherence "
            f"{rng['palette_delta_e00'][0]:.1f}-{rng['palette_delta_e00'][1]:.1f} dE00 "
            f"({met['palette_delta_e00']}/{len(sub)}), all three: {_met(sub)}")


def _met(sub: list[dict]) -> str:
    return f"{sum(all(ok(k, r[k]) for k in GOALS) for r in sub)}/{len(sub)}"


def score_all(base, palettes: list[str], mode: str | SmoothTransfer) -> list[dict]:
    """Scores of every palette's variant of ``base`` in ``mode`` (one of :data:`ORDER`, or smooth
    with these settings)."""
    rows = []
    for name in palettes:
        pal = get_palette(name)
        if mode == "posterize":
            v = apply_posterize(base, pal)
        else:
            settings = mode if isinstance(mode, SmoothTransfer) else ABLATIONS.get(mode, SmoothTransfer())
            v, _ = smooth_variant(base, pal, settings)
        rows.append(variant_scores(v, base, pal))
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", help="a trained run (default: train the fast preset into --out)")
    p.add_argument("--out", default="runs/bench_colour_control")
    p.add_argument("--palettes", nargs="+", default=list(PALETTES))
    p.add_argument("--retrain", action="store_true")
    p.add_argument("--sheet", help="also write the smooth variants' contact sheet here (e.g. docs/styles.png)")
    p.add_argument("--also", nargs="*", default=[], metavar="IMAGE", help="more renderings to score the same way")
    p.add_argument("--sweep", action="store_true", help="also the sweep of the smooth transfer's settings")
    p.add_argument("--hints", action="store_true", help="also the colour-hint table (bench/colour_hints.py)")
    p.add_argument("--hint-task", choices=["lines", "bw"],
                   help="with --hints: line drawings or black-and-white photos as input (default: lines)")
    p.add_argument("--hint-cases", nargs="+", help=f"with --hints: any of {list(CASES)}, or all (the default)")
    p.add_argument("--hint-runs", help="with --hints: score the models an earlier bench/colour_hints.py run "
                                       "trained here (its --out) instead of training them")
    a = p.parse_args(argv)
    if not a.hints and (a.hint_runs or a.hint_task or a.hint_cases):
        p.error("--hint-task, --hint-cases and --hint-runs go with --hints")
    hint_task = a.hint_task or "lines"
    if a.hint_cases and "all" in a.hint_cases and len(a.hint_cases) > 1:
        p.error("--hint-cases: all stands alone")
    hint_cases = list(CASES) if a.hint_cases in (None, ["all"]) else a.hint_cases
    for name in hint_cases:
        if name not in CASES:
            p.error(f"unknown case {name!r} for --hint-cases; choose from {list(CASES)} or all")
    for name in hint_cases if a.hint_runs else ():      # the models an earlier run trained, before any work
        folder = Path(a.hint_runs) / (f"{name}_hints" if hint_task == "lines" else f"{name}_bw_hints")
        if not folder.is_dir():
            p.error(f"--hint-runs: no {hint_task} hint model for {name} at {folder}")
    for name in a.palettes:
        get_palette(name)   # a bad palette fails before any training
    out = Path(a.out)
    if a.checkpoint:
        ckpt, how = Path(a.checkpoint), f"checkpoint {a.checkpoint}"
    else:
        ckpt, how = ensure_model(out, a.retrain)
    rows = []
    for mode in ("smooth", "posterize"):
        t = time.time()
        report = generate_styles(StylesConfig(render=RenderConfig(checkpoint=str(ckpt)), out=str(out / f"styles_{mode}"),
                                              palettes=a.palettes, mode=mode), progress=False)
        secs = (time.time() - t) / len(a.palettes)
        rows += [dict(r, seconds=secs) for r in report["variants"]]
    base = read_photo(out / "styles_smooth" / "base.png")
    for mode, settings in ABLATIONS.items():
        for name in a.palettes:
            pal = get_palette(name)
            t = time.time()
            v, moved = smooth_variant(base, pal, settings)
            secs = time.time() - t
            rows.append({"palette": pal.name, "mode": mode, "seconds": secs, "lightness_moved": moved,
                         **variant_scores(v, base, pal)})
    if a.sheet:
        write_image(a.sheet, read_photo(out / "styles_smooth" / "contact_sheet.png"))

    print(f"# python bench/colour_control.py{' ' + ' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"\nModel: {how}. Input: the bundled sample's held-out view ({base.shape[1]}x{base.shape[0]}). "
          f"Goals: structure SSIM >= 0.95, gradient corr >= 0.9, adherence <= 8 dE00 (* = goal missed).\n")
    print("| palette | mode | structure SSIM (L*) | gradient corr | adherence dE00 | lightness moved | s / variant |")
    print("|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (a.palettes.index(r["palette"]), ORDER.index(r["mode"]))):
        cells = [f"{r[k]:.3f}{'' if ok(k, r[k]) else ' *'}" if k != "palette_delta_e00"
                 else f"{r[k]:.1f}{'' if ok(k, r[k]) else ' *'}" for k in GOALS]
        moved = f"{r['lightness_moved']:.2f}" if "lightness_moved" in r else "-"
        print(f"| {r['palette']} | {r['mode']} | {' | '.join(cells)} | {moved} | {r['seconds']:.1f} |")
    print()
    for mode in ORDER:
        print(f"- {mode}: {summary([r for r in rows if r['mode'] == mode])}")
    if a.also:
        print("\nMore renderings (same palettes; all three goals met, of the palettes):\n")
        print("| rendering | " + " | ".join(ORDER) + " |")
        print("|---|" + "---|" * len(ORDER))
        for path in a.also:
            print(f"| {path} | " + " | ".join(_met(score_all(read_photo(path), a.palettes, mode))
                                              for mode in ORDER) + " |")
    if a.sweep:
        renderings = {"bundled sample": base, **{Path(p_).parent.name or p_: read_photo(p_) for p_ in a.also}}
        print("\nSweep of the smooth transfer (structure floor 0.95 on every row): variants meeting all three "
              "goals\n")
        print("| pairing | lightness transfer | " + " | ".join(renderings) + " | total |")
        print("|---|---|" + "---|" * (len(renderings) + 1))
        for (match, how, sigma), settings in SWEEP.items():
            counts = [sum(all(ok(k, r[k]) for k in GOALS) for r in score_all(img, a.palettes, settings))
                      for img in renderings.values()]
            label = f"{how}, {sigma:g} px" if sigma else f"{how}, per pixel"
            print(f"| {match} | {label} | " + " | ".join(f"{c}/{len(a.palettes)}" for c in counts)
                  + f" | {sum(counts)}/{len(a.palettes) * len(counts)} |")
    print(f"\nmachine: {describe_machine()} (shared with other jobs, so seconds are rough); "
          f"{time.strftime('%Y-%m-%d')}")
    if a.sheet:
        print(f"contact sheet of the smooth variants: {a.sheet}")
    if a.hints:
        print("\n## Colour hints (bench/colour_hints.py)")
        colour_hints(["--cases", *hint_cases, "--task", hint_task, "--out", str(out / "hints"),
                      *(("--runs", a.hint_runs) if a.hint_runs else ())])
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
