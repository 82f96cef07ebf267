"""Held-out evaluation: colorize a view the model never saw and compare with the real photo.

Metrics and their exact settings are in ``utils/metrics.py`` (scikit-image PSNR and SSIM
with ``data_range=1``, ``channel_axis=-1``; mean CIEDE2000). Every report carries a
baseline row for the same view: every pixel set to the training photo's mean colour.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from data.samples import stereo_motorcycle_views
from process.preflight import check_render_request
from process.render import RenderConfig, Renderer
from utils.errors import InputError
from utils.image_io import check_colour_photo, read_photo, write_image, write_json
from utils.metrics import METRIC_SETTINGS, drawing_fidelity, image_metrics, lightness_mean_chroma_baseline, mean_colour_baseline


def training_photo(meta: dict) -> np.ndarray | None:
    """The training photo of a run, when it can be found (the bundled sample, or --image)."""
    image = meta.get("train_config", {}).get("image")
    if image is None:
        return stereo_motorcycle_views()[0].photo
    return read_photo(image) if Path(image).is_file() else None


def evaluate_checkpoint(checkpoint, image: str | None = None, depth: str | None = None, out_dir=None,
                        device: str = "auto", tile: int | None = 1024, **colours) -> dict:
    """Metrics of a checkpoint on a held-out view (default: the bundled sample's right view): its
    render without reference alignment, made as ``colours`` (``RenderConfig`` fields: ``chroma_smooth``,
    ``mirror_average``, ``context``, ``lines``, ``line_reach``, ``bw_colour``; the flags of
    ``process.render_flags.add_colour_flags``) say. A line-drawing model's report adds drawing fidelity
    (``utils.metrics.drawing_fidelity``) of its output and of the real photo, against the drawing
    it read."""
    if image is None and depth is not None:
        raise InputError("--depth is the held-out photo's depth: give the photo with --image too")
    if image is not None:
        check_colour_photo(image, "--image (the held-out photo the output is scored against)")
    renderer = Renderer(checkpoint, device)  # the same guides as process.py would build
    if image is not None and renderer.model.cfg.use_depth and depth is None:
        raise InputError("held-out evaluation needs the view's depth: --depth FILE")
    request = RenderConfig(checkpoint=checkpoint, image=image, depth=depth, tile=tile or 0, align="off", **colours)
    name = Path(image).stem if image else stereo_motorcycle_views()[1].name
    outputs = [] if out_dir is None else [Path(out_dir) / f"{name}_prediction.png", Path(out_dir) / f"{name}_metrics.json"]
    check_render_request(renderer.model.cfg, request, outputs=outputs, keeps_photo=renderer.reference is not None)
    guides, photo = renderer.guides(request)
    model, meta = renderer.model, renderer.meta
    t0 = time.perf_counter()
    pred = renderer.draw_lines(request, guides, renderer.colorize(guides, request))
    seconds = time.perf_counter() - t0
    report = {"view": name, "checkpoint": str(checkpoint), "size": list(photo.shape[:2]),
              "model": image_metrics(pred, photo), "inference_seconds": round(seconds, 3),
              "settings": METRIC_SETTINGS,
              "rendering": {"mirror_average": renderer.mirror_average(request), "context": request.context,
                            "chroma_smooth": request.chroma_radius if model.cfg.use_luminance else None,
                            "bw_colour": renderer.bw_colour(request) if model.cfg.use_luminance else None}}
    if renderer.reads_lines:  # how well the output follows the drawing the model read, and how well the photo does
        report["rendering"].update(lines=request.lines, line_reach=request.line_reach)
        report["model"]["fidelity"] = drawing_fidelity(pred, guides.strokes)
        report["photo_fidelity"] = drawing_fidelity(photo, guides.strokes)
    train_photo = training_photo(meta)
    if train_photo is not None:
        report["baseline_mean_colour"] = image_metrics(mean_colour_baseline(train_photo, photo.shape), photo)
        if model.cfg.use_luminance:  # a black-and-white model's floor: the photo's own L* + mean a*, b*
            report["baseline_lightness_mean_chroma"] = image_metrics(
                lightness_mean_chroma_baseline(train_photo, photo), photo)
    if out_dir is not None:
        out_dir = Path(out_dir)
        write_image(out_dir / f"{name}_prediction.png", pred)
        write_json(out_dir / f"{name}_metrics.json", report)
    return report
