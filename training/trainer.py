"""Two-stage single-image training: random patches, then the full image.

``train(cfg)`` is everything ``train.py`` does after parsing flags:

1. resolve the training view (the bundled sample or ``--image`` with its guides) and the
   optional held-out view;
2. build :class:`models.unet.SemColorNet`, encode the training photo as the default style;
3. stage 1: ``epochs1`` x ``steps_per_epoch`` Adam steps on batches of random augmented
   patches; stage 2: ``epochs2`` x ``steps2_per_epoch`` steps on the whole (resized) image;
4. after each epoch: learning-rate decay (``plateau``: halve when the epoch loss stops
   improving, never below ``lr_min``), evaluation (PSNR/SSIM on the full training view and
   the held-out view), a line in ``metrics_train/training.log`` and ``RUN/metrics.jsonl``,
   and an atomic checkpoint ``RUN/checkpoints/last.safetensors``;
5. at the end of each stage: ``RUN/checkpoints/stageN.safetensors`` and ``RUN/previews/stageN.png``;
6. at the end: ``RUN/timing.json``, where the run's seconds went (set-up, patch sampling,
   optimisation steps, evaluation, checkpoints, previews; ``bench/train_speed.py`` reads it).

A killed run continues with ``resume=True`` from the last completed epoch.
"""
from __future__ import annotations

import contextlib
import functools
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from config.defaults import DOWNSCALE, TrainConfig, from_dict, to_dict
from data.dataset import PatchSampler, TrainingView, resize_view
from data.tensor_sampler import TensorPatchSampler
from data.samples import stereo_motorcycle_views
from loss.combined_loss import CombinedLoss
from models.checkpoint import LAST, restore_training, save_checkpoint
from models.ema import WeightAverage
from models.inputs import Guides, check_labels, encode_guides
from models.style import recalibrate_statistics
from models.unet import SemColorNet
from process.guides import GuideSources, guides_from_photo, sample_guides
from process.device import autocast_dtype, pick_device, to_batch
from process.inference import colorize
from postprocess.reference_align import reference_image
from utils.errors import InputError
from utils.image_io import read_photo, read_training_photo, write_image, write_json
from utils.metrics import image_metrics
from utils.progress import progress_bar
from utils.signals import interrupt_deferred
from utils.visualization import contact_sheet, depth_to_rgb


@dataclass
class HeldoutView:
    """A view the model never trains on, scored after each evaluated epoch."""
    name: str
    photo: np.ndarray
    guides: Guides


@dataclass
class TrainingData:
    train: TrainingView
    heldout: HeldoutView | None
    source: str


def load_training_data(cfg: TrainConfig) -> TrainingData:
    """The training view (and held-out view, if any) described by ``cfg``."""
    use_depth = cfg.depth != "none"
    lum = cfg.model.use_luminance
    if cfg.image is None:
        if cfg.mask not in (None, "none"):
            raise InputError("--mask needs --image (the bundled sample has no mask)")
        if cfg.depth not in (None, "none"):
            raise InputError("--depth FILE needs --image (the bundled sample brings its own depth)")
        left, right = stereo_motorcycle_views()
        train = TrainingView(left.photo, sample_guides(left, cfg.sketch, use_depth, lum))
        heldout = HeldoutView(right.name, right.photo, sample_guides(right, cfg.sketch, use_depth, lum))
        return TrainingData(train, heldout, "bundled sample: skimage.data.stereo_motorcycle (left view)")
    photo = read_training_photo(cfg.image)
    src = GuideSources(depth=cfg.depth, mask=cfg.mask, depth_model=cfg.depth_model, cache_dir=str(Path(cfg.out) / "preprocess"))
    train = TrainingView(photo, guides_from_photo(photo, cfg.sketch, src, cfg.image, luminance=lum))
    heldout = None
    if cfg.heldout_image:
        if cfg.heldout_depth is None and use_depth:
            raise InputError("--heldout-image needs --heldout-depth FILE (or train with --depth none)")
        hphoto = read_photo(cfg.heldout_image, allow_gray=False, allow_alpha=False)
        hsrc = GuideSources(depth=cfg.heldout_depth if use_depth else "none", mask="none")
        heldout = HeldoutView(Path(cfg.heldout_image).stem, hphoto,
                           guides_from_photo(hphoto, cfg.sketch, hsrc, luminance=lum))
    return TrainingData(train, heldout, str(cfg.image))


def _lr_for(cfg: TrainConfig, sched: dict, epoch_loss: float, epoch: int, total_epochs: int) -> float:
    """Learning rate for the next epoch; ``sched`` (JSON-able) carries the plateau state."""
    if cfg.lr_schedule == "constant":
        return cfg.lr
    if cfg.lr_schedule == "cosine":
        t = min(1.0, epoch / max(1, total_epochs))
        return cfg.lr_min + 0.5 * (cfg.lr - cfg.lr_min) * (1 + math.cos(math.pi * t))
    if cfg.lr_schedule != "plateau":
        raise ValueError(f"lr_schedule must be plateau, cosine or constant, got {cfg.lr_schedule!r}")
    if epoch_loss < sched.get("best", float("inf")) * (1 - 1e-3):
        sched["best"], sched["bad"] = epoch_loss, 0
    else:
        sched["bad"] = sched.get("bad", 0) + 1
        if sched["bad"] >= 2:  # two epochs without a 0.1 % improvement
            sched["lr"], sched["bad"] = max(cfg.lr_min, sched.get("lr", cfg.lr) * 0.5), 0
    return sched.get("lr", cfg.lr)


class PhaseTimer:
    """Seconds spent in each named phase of a run (``with timer("evaluation"): ...``), and each
    phase's window in wall-clock time (first start, last end; ``time.time()``), so that a
    benchmark can line up outside readings (GPU utilisation) with the optimisation steps."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.windows: dict[str, list[float]] = {}

    @contextlib.contextmanager
    def __call__(self, phase: str):
        t0, wall0 = time.perf_counter(), time.time()
        try:
            yield
        finally:
            self.add(phase, time.perf_counter() - t0)
            window = self.windows.setdefault(phase, [wall0, wall0])
            window[1] = time.time()

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in self.seconds.items()}


class Trainer:
    def __init__(self, cfg: TrainConfig, data: TrainingData | None = None, quiet: bool = False):
        t_start = time.perf_counter()
        self.timer = PhaseTimer()
        self.cfg = cfg
        self.quiet = quiet
        self.run = Path(cfg.out)
        self.ckpt_dir = self.run / "checkpoints"
        self.device = pick_device(cfg.device)
        if cfg.threads > 0:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        self.data = data or load_training_data(cfg)
        g = self.data.train.guides
        if cfg.epochs1 > 0 and cfg.patch_size > min(g.shape):   # a patch is a square cut from the photo
            self._log_text(f"note: patches of {cfg.patch_size} px do not fit the training photo "
                           f"({g.shape[1]}x{g.shape[0]}): stage 1 cuts patches of {min(g.shape)} px")
            cfg.patch_size = min(g.shape)
        if g.mask is not None and cfg.model.num_labels == 0:
            cfg.model.num_labels = int(g.mask.max()) + 1
        if g.mask is not None:
            check_labels(g.mask, cfg.model)
        cfg.model.use_depth = g.depth is not None
        self.model = SemColorNet(cfg.model).to(self.device)
        if cfg.model.palette_size > 0:  # start the learned palette from the photo's own main colours
            from config.color_palettes import extract_palette
            init = extract_palette(self.data.train.photo, cfg.model.palette_size, seed=cfg.seed).lab
            k = len(init)
            lab = torch.zeros(cfg.model.palette_size, 3)
            lab[:k] = torch.from_numpy(init).float()
            lab[k:] = lab[0]
            self.model.set_palette(lab.to(self.device))
        self.reference = reference_image(self.data.train.photo)  # kept in checkpoints (reference alignment)
        self.style_photo = torch.from_numpy(self.data.train.photo).permute(2, 0, 1).unsqueeze(0).to(self.device)
        self.loss = CombinedLoss(cfg.model.color_space, cfg.perceptual_weight, cfg.vgg_weights).to(self.device)
        # Not fused: the fused update is faster, but its quality cost is not yet told apart from
        # rounding noise without a seed study (bench/results_train_speed_cpu.md: Adam fused).
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr)
        styles = cfg.sketch.method == "lines"  # each patch drawn in a random line style
        make_sampler = self._sampler_kind(styles)
        self.sampler = make_sampler([self.data.train], cfg.model, cfg.augment, cfg.seed, line_styles=styles)
        self.full_view = resize_view(self.data.train, cfg.full_size)
        self.full_sampler = make_sampler([self.full_view], cfg.model, cfg.augment, cfg.seed + 1, line_styles=styles)
        self.progress = {"stage": 1, "epoch": 0, "step": 0, "seconds": 0.0}
        self.sched: dict = {"lr": cfg.lr}
        self._prepared_at: int | None = None  # step count at the last prepare_for_inference()
        self._predicted_at: int | None = None  # step count of the cached full-view predictions
        self._predicted: dict[str, np.ndarray] = {}
        self.amp_dtype = autocast_dtype(self.device, cfg.amp)
        if cfg.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.average = WeightAverage(self.model, cfg.ema) if cfg.ema > 0 else None
        self.timer.add("setup", time.perf_counter() - t_start)

    def _sampler_kind(self, line_styles: bool):
        """PatchSampler (OpenCV, CPU) or TensorPatchSampler (torch, on the training device): both
        draw the same patches for a seed (data/tensor_sampler.py)."""
        choice = self.cfg.sampler
        if choice == "auto":
            choice = "cpu" if self.device.type == "cpu" else "device"
            if choice == "device" and (line_styles or self.cfg.model.hints or self.cfg.augment.print_ageing > 0):
                choice = "cpu"
                self._log_text("note: line-style patches, colour hints and aged prints are drawn with OpenCV on the "
                               "CPU; the device sampler does not draw them")
        if choice == "cpu":
            return PatchSampler
        return functools.partial(TensorPatchSampler, device=self.device)

    @property
    def inference_model(self) -> SemColorNet:
        """The network evaluation, previews and checkpoints use: the weights' moving average
        when ``cfg.ema`` is on, else the trained weights themselves."""
        return self.average.model if self.average is not None else self.model

    # --- bookkeeping -------------------------------------------------------------------
    def prepare_for_inference(self) -> None:
        """Default style code and normalisation statistics from the whole training view
        (once per optimisation step count: evaluation and saving share the work)."""
        if self._prepared_at == self.progress["step"]:
            return
        self._prepared_at = self.progress["step"]
        model = self.inference_model
        with self.timer("precise_bn"):
            model.set_default_style(self.style_photo)
            if not self.cfg.precise_bn:
                return
            xt, lt = to_batch(*encode_guides(self.data.train.guides, model.cfg), self.device)
            recalibrate_statistics(model, [(xt, lt), (xt.flip(-1), None if lt is None else lt.flip(-1))])

    def _save(self, name: str, precise: bool = True) -> None:
        """Write checkpoint ``name``. ``precise=False`` (the per-epoch resume checkpoint when
        nothing was evaluated) skips the precise-BN pass: that file then carries the running
        normalisation statistics; stage and final checkpoints always get the precise ones."""
        if precise:
            self.prepare_for_inference()
        else:
            self.inference_model.set_default_style(self.style_photo)
        with self.timer("checkpoints"):
            save_checkpoint(self.ckpt_dir / name, self.inference_model, self.cfg.sketch, self.opt,
                            progress={**self.progress, "sched": self.sched}, train_cfg=to_dict(self.cfg),
                            rng={"sampler": self.sampler.state_dict(), "full_sampler": self.full_sampler.state_dict()},
                            training_model=self.model if self.average is not None else None,
                            reference=self.reference)

    def try_resume(self) -> bool:
        last = self.ckpt_dir / LAST
        if not last.is_file():
            return False
        meta = restore_training(last, self.model, self.opt,
                                average=None if self.average is None else self.average.model)
        prog = dict(meta["progress"])
        if self.average is not None:
            self.average.updates = prog["step"]
        self.sched = prog.pop("sched", {"lr": self.cfg.lr})
        self.progress = prog
        self.sampler.load_state_dict(meta["rng"]["sampler"])
        self.full_sampler.load_state_dict(meta["rng"]["full_sampler"])
        self._log_text(f"resumed from {last} at stage {prog['stage']} epoch {prog['epoch']} step {prog['step']}")
        return True

    def _log_text(self, line: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log = Path(self.cfg.metrics_log)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a") as fh:
            fh.write(f"{stamp} [{self.run}] {line}\n")
        if not self.quiet:
            tqdm.write(line)

    def _views(self) -> list[tuple[str, np.ndarray, Guides]]:
        views = [("train", self.data.train.photo, self.data.train.guides)]
        if self.data.heldout is not None:
            views.append(("heldout", self.data.heldout.photo, self.data.heldout.guides))
        return views

    def predictions(self) -> dict[str, np.ndarray]:
        """Full-view predictions of the current weights, computed once per step count
        (evaluation, previews and the final report share them)."""
        if self._predicted_at != self.progress["step"]:
            self.prepare_for_inference()
            with self.timer("inference"):
                # the network's own colours (what training improves, whatever --bw-colour a render picks),
                # mirror-averaged as process.py does it, for a network that saw flipped patches
                self._predicted = {name: colorize(self.inference_model, g, device=self.device,
                                                  mirror_average=self.cfg.augment.hflip)
                                   for name, _, g in self._views()}
            self._predicted_at = self.progress["step"]
        return self._predicted

    def evaluate(self) -> dict:
        """PSNR/SSIM on the full training view and (if any) the held-out view."""
        preds = self.predictions()
        with self.timer("metrics"):
            return {f"{name}_{k}": v for name, photo, _ in self._views()
                    for k, v in image_metrics(preds[name], photo, full=False).items()}

    def preview(self, stage: int) -> Path:
        preds = self.predictions()
        images, caps = [], []
        for name, photo, g in self._views():
            depth = depth_to_rgb(g.depth) if g.depth is not None else np.ones_like(photo)
            images += [g.sketch, depth, preds[name], photo]
            label = "held-out" if name == "heldout" else name
            caps += [f"{label}: sketch", f"{label}: depth", f"{label}: prediction", f"{label}: target"]
        path = self.run / "previews" / f"stage{stage}.png"
        with self.timer("previews"):
            write_image(path, contact_sheet(images, caps, cols=4, cell_width=300))
        return path

    # --- training ----------------------------------------------------------------------
    def _step(self, batch) -> dict:
        x, t = batch.inputs.to(self.device), batch.target.to(self.device)
        if self.cfg.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        labels = None if batch.labels is None else batch.labels.to(self.device)
        ctx = torch.autocast(self.device.type, dtype=self.amp_dtype) if self.amp_dtype else contextlib.nullcontext()
        with ctx:
            style = self.model.encode_style(self.style_photo) if self.model.style_encoder is not None else None
            pred = self.model(x, labels, style=style)
        total, parts = self.loss(pred.float(), t)
        self.opt.zero_grad(set_to_none=True)
        total.backward()
        self.opt.step()
        if self.average is not None:
            self.average.update(self.model)
        return {k: float(v) for k, v in parts.items()}

    def _run_stage(self, stage: int, epochs: int, steps: int, batch: int, size: int | None) -> None:
        sampler = self.sampler if stage == 1 else self.full_sampler
        start = self.progress["epoch"] if self.progress["stage"] == stage else 0
        total_epochs = self.cfg.epochs1 + self.cfg.epochs2
        for epoch in range(start, epochs):
            for group in self.opt.param_groups:
                group["lr"] = self.sched.get("lr", self.cfg.lr)
            t0 = time.perf_counter()
            sums: dict = {}
            bar = progress_bar(range(steps), desc=f"stage {stage} epoch {epoch + 1}/{epochs}", leave=False,
                       disable=self.quiet, dynamic_ncols=True)
            for _ in bar:
                with self.timer("sampling"):
                    patches = sampler.sample(batch, size if stage == 1 else self._stage2_window())
                with self.timer("steps"):
                    parts = self._step(patches)
                for k, v in parts.items():
                    sums[k] = sums.get(k, 0.0) + v
                self.progress["step"] += 1
                bar.set_postfix(loss=f"{parts['total']:.4f}")
            dt = time.perf_counter() - t0
            self.progress.update(stage=stage, epoch=epoch + 1, seconds=self.progress["seconds"] + dt)
            means = {k: v / steps for k, v in sums.items()}
            global_epoch = epoch + 1 + (self.cfg.epochs1 if stage == 2 else 0)
            lr = self.sched.get("lr", self.cfg.lr)
            self.sched["lr"] = _lr_for(self.cfg, self.sched, means["total"], global_epoch, total_epochs)
            row = {"stage": stage, "epoch": epoch + 1, "step": self.progress["step"], "lr": lr,
                   "train_seconds": round(self.progress["seconds"], 2), **{f"loss_{k}": v for k, v in means.items()}}
            every = self.cfg.eval_every
            evaluated = (every > 0 and (epoch + 1) % every == 0) or epoch + 1 == epochs
            if evaluated:
                row.update(self.evaluate())
            with interrupt_deferred():  # an epoch's row and its checkpoint land together, or neither
                self._record(row)
                self._save(LAST, precise=evaluated)
        if self.progress["stage"] == stage and self.progress["epoch"] >= epochs:
            self._save(f"stage{stage}.safetensors")
            self.preview(stage)

    def _record(self, row: dict) -> None:
        with open(self.run / "metrics.jsonl", "a") as fh:
            fh.write(json.dumps(row) + "\n")
        text = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items())
        self._log_text(text)

    def _stage2_window(self) -> tuple[int, int] | None:
        """The size of this stage-2 step's window of the full view (``cfg.crop2``; None: the whole view),
        drawn from the seed and the step count alone, so a resumed run draws the same windows."""
        if self.cfg.crop2 >= 1.0:
            return None
        h, w = self.full_view.guides.shape
        f = np.random.default_rng([self.cfg.seed, 5, self.progress["step"]]).uniform(self.cfg.crop2, 1.0)
        side = lambda n: max(DOWNSCALE, int(round(n * f / DOWNSCALE)) * DOWNSCALE)  # noqa: E731
        return min(side(h), h), min(side(w), w)

    def fit(self) -> dict:
        cfg = self.cfg
        self.run.mkdir(parents=True, exist_ok=True)
        resumed = cfg.resume and self.try_resume()
        if not resumed:
            if (self.ckpt_dir / LAST).exists():
                raise InputError(f"{self.run} already holds a run; use --resume to continue it or --out NEW_DIR")
            self.model.set_default_style(self.style_photo)
            write_json(self.run / "config.json", {**to_dict(cfg), "data_source": self.data.source})
            self._log_text(f"start: {self.data.source}, preset {cfg.preset}, device {self.device}, "
                           f"{sum(p.numel() for p in self.model.parameters()) / 1e6:.2f} M parameters")
        self.model.train()
        if self.progress["stage"] == 1:
            self._run_stage(1, cfg.epochs1, cfg.steps_per_epoch, cfg.batch_size, cfg.patch_size)
            if self.progress["epoch"] >= cfg.epochs1:
                self.progress.update(stage=2, epoch=0)
        if self.progress["stage"] == 2:
            self._run_stage(2, cfg.epochs2, cfg.steps2_per_epoch, 1, None)
        self._save(LAST)
        final = self.evaluate()
        write_json(self.run / "timing.json", {"steps": self.progress["step"], "seconds": self.timer.rounded(),
                                               "windows": self.timer.windows})
        self._log_text("done: " + " ".join(f"{k}={v:.4f}" for k, v in final.items()))
        return final


def train(cfg: TrainConfig, quiet: bool = False) -> dict:
    return Trainer(cfg, quiet=quiet).fit()


def config_for_resume(out: str) -> TrainConfig:
    """The config a run was started with (its ``config.json``)."""
    path = Path(out) / "config.json"
    if not path.is_file():
        raise InputError(f"--resume: no run to resume in {out} (no config.json)")
    return from_dict(TrainConfig, json.loads(path.read_text()))
