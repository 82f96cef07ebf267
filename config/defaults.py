"""Configuration dataclasses and presets.

Constructor arguments are the configuration (as in nanoGPT's ``GPTConfig`` and EDM's
``training_options.json``): root scripts turn flags into these dataclasses, the resolved
config is written as ``config.json`` into every run folder, and a checkpoint carries the
:class:`ModelConfig` it needs to rebuild its network.
"""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass, field, fields

from config.validation import check_ranges
from utils.errors import InputError

# Reference alignment (postprocess/reference_align.py; process.py --align): auto = a perspective map
# refined by dense optical flow, homography = the perspective map alone, off = the network alone
ALIGN_MODES = ("auto", "homography", "off")

DEVICES = ("auto", "cpu", "cuda", "mps")  # where the network runs (process/device.py: auto picks)

BAND_ROWS = 512  # whole-image passes after the network (mirror averaging, chroma smoothing, alignment's
                 # correction) work this many rows at a time: their memory on a large scan is a band's

DOWNSCALE = 8  # the U-Net's 3 downsampling steps (models/unet.py): tiles start and are sized on this grid
# process.py's tiles (process/tiling.py): inputs up to TILE px a side are coloured whole, larger ones in
# TILE-px tiles overlapping by OVERLAP px
TILE, OVERLAP = 1024, 64
HIGH_RES_TILE = 512  # process/high_res.py's smaller tiles: a large drawing's memory is bounded by a tile's

# A black-and-white model's a*, b* are guided-filtered along the input's L* over windows of this
# radius, px (postprocess/chroma_smoothing.py; process.py --chroma-smooth; 0: the network's chroma as is)
CHROMA_SMOOTH = 12

# Where a black-and-white model's colours come from (process/inference.colorize_black_and_white;
# process.py --bw-colour): transfer = the training photo's a*, b* matched on the lightness around each
# pixel (postprocess/chroma_transfer.py); network = the model's own prediction; both = their mean in CIELAB.
# transfer is the default: it reads no position, and it beat the network on every development case's
# clean view (bench/results_bw_transfer_cpu.md)
BW_COLOURS = ("transfer", "network", "both")
BW_COLOUR = "transfer"
# A black-and-white input's tones in the output: print (its own L*, kept exactly) or photo (a faded print's
# levels stretched to the training photo's and a halftone screen removed: postprocess/chroma_transfer.py).
TONES = ("print", "photo")

# What the attention bottleneck attends to at inference (process/inference.py; process.py --context):
# whole = the whole input's pooled tokens; local = each LOCAL_CONTEXT-px neighbourhood's own, the
# scale of the training patches, so a thing's colour does not hang on what else the frame holds
CONTEXTS = ("whole", "local")
CONTEXT = "whole"
LOCAL_CONTEXT = 128  # px: the side of a neighbourhood whose tokens a local context pools (the default patch size)

# Inference also colours the mirrored view and averages the two (process/inference.py;
# process.py --mirror-average on|off): a second pass; measured in bench/mirror_average.py
MIRROR_AVERAGE = True

# What train.py --luminance sets: a black-and-white model (Lab: it predicts a*, b* and keeps the
# input's L*) that reads half its training patches' lightness aged like an old print or its scan
# (data/print_ageing.py), so it learns the scene, not a clean photo's texture;
# --set augment.print_ageing=0 trains on the clean lightness alone
BLACK_AND_WHITE = {"model": {"use_luminance": True, "color_space": "lab"}, "augment": {"print_ageing": 0.5}}

CONFIG_VERSION = 2  # bumped when a checkpoint of an older layout can no longer be loaded
# 2: the lightness channel is L* (was Rec. 601 luma) and B&W models work in Lab; without
#    position the attention has no position features; the patch sampler has a style stream


@dataclass
class SketchConfig:
    method: str = "xdog"         # xdog (ink lines with tone) | canny | adaptive (preprocess/sketch.py)
    blur_sigma: float = 1.0      # Gaussian blur before line extraction, px
    thickness: int = 1           # line thickness after dilation, px
    min_area: int = 8            # line fragments smaller than this many pixels are removed


@dataclass
class ModelConfig:
    width: int = 16              # channels of the first U-Net level; levels use 1x, 2x, 4x, 8x
    color_space: str = "rgb"     # rgb | hsv | lab: the space the network predicts in (rgb measured best, docs/results.md)
    use_depth: bool = True       # a depth channel (False: --depth none)
    use_luminance: bool = False  # a luminance channel, for colorizing grayscale photos
    num_labels: int = 0          # semantic labels of the mask (0: no mask input)
    label_embed_dim: int = 8     # learned embedding width of each label (semantic-aware concatenation)
    line_distance: bool = True   # extra channel: distance to the nearest sketch line (capped, see models/inputs.py)
    position: bool = False       # read the (y, x) position in the whole image, in [0, 1], as two channels (and
                                 # in the attention); off: colour by content, not by where the frame puts
                                 # it (bench/results_framing_cpu.md). Tiles place the attention either way
    attention_heads: int = 4     # heads of the bottleneck self-attention
    attention_grid: int = 16     # the bottleneck attends to a G x G grid of pooled whole-image tokens
    use_style: bool = True       # AdaIN style branch
    style_dim: int = 64          # length of the style code
    style_size: int = 256        # the style image is resized to this long side before encoding
    palette_size: int = 0        # > 0: learned palette of this many Lab colours; a, b are a soft mix of them
    full_width: int = 0          # channels of the full-resolution level only (0: width)
    hints: bool = False          # colour-hint channels (hinted RGB + mask, preprocess/hints.py): train.py --hints


@dataclass
class AugmentConfig:
    hflip: bool = True           # random horizontal flip
    vflip: bool = False          # random vertical flip (off by default: buildings have an up)
    rotate_deg: float = 5.0      # random rotation in [-rotate_deg, rotate_deg]
    scale: float = 0.15          # random zoom in [1 - scale, 1 + scale]
    warp: float = 0.0            # strength of a random smooth (thin-plate-like) warp, fraction of patch size
    color_jitter: float = 0.0    # target-only brightness/saturation jitter (0: off)
    position_jitter: float = 0.0  # random shift of a patch's position channels, fraction of the image (0: off)
    max_hints: int = 16          # hint models: up to this many random dots/scribbles of true colour per patch
    print_ageing: float = 0.0    # share of patches whose lightness input is aged like an old print (preprocess/
                                 # print_ageing.py; the target stays the clean photo); --luminance: BLACK_AND_WHITE


@dataclass
class TrainConfig:
    image: str | None = None     # training photo; None: the bundled sample (data/samples.py)
    depth: str | None = None     # depth file, 'none', or None (bundled sample / preprocessing)
    depth_model: str | None = None  # Depth Anything hub id or local folder (when depth is estimated)
    mask: str | None = None      # label map file, 'none', or None (no mask)
    heldout_image: str | None = None  # optional held-out photo for evaluation (needs heldout_depth)
    heldout_depth: str | None = None
    out: str = "runs/latest"     # run folder
    preset: str = "default"
    seed: int = 0
    device: str = "auto"         # auto | cpu | cuda | mps
    resume: bool = False
    epochs1: int = 18            # stage 1: random patches
    epochs2: int = 4             # stage 2: the full image
    steps_per_epoch: int = 40    # optimiser steps in one epoch of stage 1 (stage 2: see steps2_per_epoch)
    steps2_per_epoch: int = 10
    patch_size: int = 128        # stage 1 patch side, px
    batch_size: int = 8          # stage 1 patches per step
    full_size: int = 512         # stage 2: the image is resized so its long side is this, px
    crop2: float = 1.0           # stage 2: each step sees a random window of the (resized) image whose sides are
                                 # this fraction of its sides or more, up to the whole (1: always the whole image),
                                 # so the attention's whole-input context varies as users' framings do
    lr: float = 1e-3             # initial learning rate (Adam); the paper preset uses 2e-4
    lr_min: float = 1e-5         # learning rate floor
    lr_schedule: str = "plateau" # plateau (adaptive decay on the epoch loss) | cosine | constant
    perceptual_weight: float = 0.0  # weight of the VGG-16 perceptual loss (0: off)
    vgg_weights: str | None = None  # VGG-16 weights file; default: torchvision's cache
    amp: bool = True             # bfloat16 autocast on CUDA, and on CPUs with native bf16 (avx512_bf16 / AMX)
    channels_last: bool = True   # NHWC memory layout: faster convolutions with oneDNN and cuDNN
    sampler: str = "auto"        # where patches are cut: cpu (OpenCV) | device (torch, on the training device) |
                                 # auto (device on a GPU, cpu on a CPU, where OpenCV is faster; data/tensor_sampler.py)
    precise_bn: bool = True      # recompute normalisation statistics on the whole training view before inference
    ema: float = 0.0             # decay of the weights' moving average that inference uses (0: off; models/ema.py)
    eval_every: int = 0          # evaluate (SSIM/PSNR) every this many epochs; 0: at the end of each stage only
                                 # (each evaluation colorizes the full views: a large share of a run on a CPU)
    threads: int = 0             # torch CPU threads (0: torch's default)
    metrics_log: str = "metrics_train/training.log"  # readable log, appended
    sketch: SketchConfig = field(default_factory=SketchConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)


# Presets only name the fields they change; everything else keeps its default.
PRESETS: dict[str, dict] = {
    # Fewer, smaller steps: a first look within about a minute on a laptop-class CPU
    # (docs/results.md: Training time).
    "fast": dict(epochs1=7, steps_per_epoch=25, epochs2=2, steps2_per_epoch=5, patch_size=96, batch_size=8,
                 full_size=768, model=dict(width=16)),
    # Width 16: oneDNN's fp32 convolutions work in blocks of 16 channels, so it is the narrowest width
    # that keeps their speed; the epochs are chosen for held-out quality per second of training
    # (docs/results.md: Training time).
    "default": dict(),
    # Twice the width (about 4x the FLOPs a step) in fewer epochs: the earlier default (CHANGELOG.md).
    "wide": dict(epochs1=10, model=dict(width=32)),
    # The original paper's schedule: 256 px patches, then 512 px full image; hours on a CPU.
    "paper": dict(epochs1=100, steps_per_epoch=100, epochs2=30, steps2_per_epoch=20, patch_size=256,
                  batch_size=8, full_size=512, lr=2e-4, model=dict(width=64)),
}


def merge(obj, overrides: dict):
    """Return a copy of dataclass ``obj`` with ``overrides`` applied (nested dicts recurse).

    An unknown key is refused with the list of valid ones."""
    names = [f.name for f in fields(obj)]
    changes = {}
    for key, value in overrides.items():
        if key not in names:
            raise InputError(f"{type(obj).__name__} has no field {key!r}; valid: {', '.join(names)}")
        current = getattr(obj, key)
        changes[key] = merge(current, value) if dataclasses.is_dataclass(current) and isinstance(value, dict) \
            else value
    return dataclasses.replace(obj, **changes)


def train_config(preset: str = "default", **overrides) -> TrainConfig:
    """A :class:`TrainConfig` from a preset and overrides (nested configs as dicts)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {list(PRESETS)}")
    cfg = merge(merge(TrainConfig(preset=preset), PRESETS[preset]), overrides)
    if cfg.model.use_luminance and cfg.model.color_space != "lab":
        raise InputError("a black-and-white model (use_luminance) predicts a*, b* and keeps the photo's L*: "
                         "it works in Lab; set model.color_space=lab (train.py --luminance does)")
    if not 0.0 <= cfg.ema < 1.0:
        raise InputError(f"ema is the decay of the weights' moving average: 0 (off) or in (0, 1), got {cfg.ema}")
    if cfg.sampler not in ("auto", "cpu", "device"):
        raise InputError(f"sampler must be auto, cpu or device, got {cfg.sampler!r}")
    if cfg.sampler == "device" and cfg.sketch.method == "lines":
        raise InputError("sampler=device cannot draw line-style patches (they are drawn with OpenCV on the CPU); "
                         "use sampler=auto or cpu with --sketch-method lines")
    if cfg.sampler == "device" and cfg.model.hints:
        raise InputError("sampler=device cannot draw colour hints (they are drawn with OpenCV on the CPU); "
                         "use sampler=auto or cpu with --hints")
    if cfg.sampler == "device" and cfg.augment.print_ageing > 0:
        raise InputError("sampler=device cannot age prints (they are aged with OpenCV on the CPU); "
                         "use sampler=auto or cpu with augment.print_ageing > 0")
    if cfg.eval_every < 0:
        raise InputError(f"eval_every must be 0 (only at the end of each stage) or a number of epochs, got {cfg.eval_every}")
    if cfg.model.palette_size > 0 and cfg.model.color_space != "lab":
        raise InputError("a learned palette (palette_size > 0) needs model.color_space=lab (--color-space lab)")
    if cfg.heldout_depth is not None and cfg.heldout_image is None:
        raise InputError("--heldout-depth is the held-out photo's depth: give the photo with --heldout-image too")
    if cfg.heldout_depth not in (None, "none") and cfg.depth == "none":
        raise InputError("this run trains without depth (--depth none); leave out --heldout-depth")
    check_ranges(cfg)
    return cfg


def to_dict(cfg) -> dict:
    return asdict(cfg)


def from_dict(cls, data: dict):
    """Rebuild a (possibly nested) config dataclass from :func:`to_dict` output, ignoring unknown keys."""
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        sub = {"sketch": SketchConfig, "model": ModelConfig, "augment": AugmentConfig}.get(f.name)
        kwargs[f.name] = from_dict(sub, value) if sub and isinstance(value, dict) else value
    return cls(**kwargs)
