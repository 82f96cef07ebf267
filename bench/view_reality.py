#!/usr/bin/env python3
"""Reality check of depth-image-based rendering on the bundled stereo pair.

    python bench/view_reality.py [--out DIR]

Synthesises the right view of skimage.data.stereo_motorcycle from the left photo and its
ground-truth disparity (preprocess/view/generate_multiview.warp_by_disparity), and compares
it with the real right photo over the pixels visible in both (right pixels that received a
left pixel with known disparity), next to the no-warp baseline (the left photo as it is)
on the same pixels. PSNR: scikit-image definition on the masked pixels (data_range=1);
SSIM: mean of scikit-image's SSIM map (data_range=1, channel_axis=-1) over the mask.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from skimage.metrics import structural_similarity  # noqa: E402

from data.samples import fill_disparity, stereo_motorcycle_raw  # noqa: E402
from preprocess.view.generate_multiview import warp_by_disparity  # noqa: E402


def masked_psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    mse = float(((a - b) ** 2)[mask].mean())
    return 10 * np.log10(1.0 / mse)


def masked_ssim(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    _, smap = structural_similarity(b, a, data_range=1, channel_axis=-1, full=True)
    return float(smap.mean(axis=2)[mask].mean())


def reality_check() -> dict:
    left, right, disp = stereo_motorcycle_raw()
    left = left.astype(np.float32) / 255
    right = right.astype(np.float32) / 255
    known = np.isfinite(disp)
    filled = fill_disparity(disp, known)
    # Warp the photo and a "known disparity" flag together; the flag marks trustworthy pixels.
    view = warp_by_disparity(np.concatenate([left, known[..., None].astype(np.float32)], axis=2), filled)
    synth, flag = view.image[..., :3], view.image[..., 3]
    mask = view.valid & (flag > 0.5)
    return {"mask_fraction": float(mask.mean()),
            "warp": {"psnr": masked_psnr(synth, right, mask), "ssim": masked_ssim(synth, right, mask)},
            "no_warp": {"psnr": masked_psnr(left, right, mask), "ssim": masked_ssim(left, right, mask)},
            "images": (synth, right, left)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", help="also write synthesised | real | no-warp as a contact sheet here")
    a = p.parse_args()
    r = reality_check()
    print(f"pixels visible in both views: {100 * r['mask_fraction']:.1f} %")
    print("| right view from | PSNR dB | SSIM |\n|---|---|---|")
    print(f"| left photo warped by ground-truth disparity | {r['warp']['psnr']:.2f} | {r['warp']['ssim']:.3f} |")
    print(f"| left photo as it is (no warp) | {r['no_warp']['psnr']:.2f} | {r['no_warp']['ssim']:.3f} |")
    print(f"gain: {r['warp']['psnr'] - r['no_warp']['psnr']:+.2f} dB")
    if a.out:
        from utils.image_io import write_image
        from utils.visualization import contact_sheet
        synth, right, left = r["images"]
        write_image(a.out, contact_sheet([synth, right, left], ["synthesised right", "real right", "no warp"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
