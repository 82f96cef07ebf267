"""Palette and style variants of one rendering (what ``generate_styles.py`` does).

Variants:
- palette ``smooth`` (default) / ``posterize`` / ``regions``: the base rendering recoloured
  (``variants/palette.py``: smooth palette-based transfer after Chang et al. 2015, nearest-colour
  posterisation, or one colour per mask region by the smooth transfer);
- palette ``learned``: the checkpoint's learned palette replaced by the target palette,
  each learned colour by its nearest target colour (Lab), and the view rendered again;
- style: the view rendered with another style image's AdaIN code, or with a blend of two
  codes ``(1 - w) s0 + w s1`` for each weight ``w``.

Every variant is scored against the base rendering (``variants/palette.variant_scores``):
structure (SSIM of L*), no new edges (correlation of gradient magnitudes) and, for palette
variants, adherence (the variant's own k-colour palette matched one-to-one to the target,
mean CIEDE2000).
"""
from __future__ import annotations

import json
import sys
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from config.color_palettes import Palette, extract_palette, get_palette, PALETTES
from process.preflight import (check_network_colours, check_photo_only_request, check_render_request,
                               check_training_photo_kept, note_idle_hint_fill)
from variants.palette import (DEFAULT_LIGHTNESS, PALETTE_MODES, SCORE_DOC, STRUCTURE_FLOOR, SmoothTransfer,
                             apply_posterize, apply_regions, smooth_variant, variant_scores)
from process.render import PHOTO_ONLY, RenderConfig, Renderer
from utils.errors import InputError
from utils.image_io import read_photo, write_image, write_json
from utils.progress import progress_bar
from utils.visualization import contact_sheet


@dataclass
class StylesConfig:
    render: RenderConfig = field(default_factory=RenderConfig)
    out: str = "outputs/styles"
    palettes: list[str] = field(default_factory=lambda: list(PALETTES))  # names or .json/.gpl files
    extract: list[str] = field(default_factory=list)   # IMAGE or IMAGE:K -> a palette extracted from the image
    mode: str = "smooth"                                # smooth | posterize | learned | regions
    mapping: str | None = None                          # regions: JSON file {region: palette index or role}
    lightness: float | None = None                      # how far L moves toward the palette (0..1);
                                                        # None: the mode's default (DEFAULT_LIGHTNESS)
    structure_floor: float | None = None                # smooth: L moves no further than keeps SSIM(L*) >= this
                                                        # (0: no floor); None: STRUCTURE_FLOOR
    styles: list[str] = field(default_factory=list)     # style images, one variant each
    blend: list[float] = field(default_factory=list)    # weights w between the first two styles
    reference: str | None = None                        # a colour photo instead of a checkpoint: a black-and-white
                                                        # --image coloured from it alone (process.py --reference)


MAX_EXTRACT = 16  # colours an --extract palette may ask for


def extract_specs(specs: list[str]) -> list[tuple[str, int]]:
    """``--extract`` entries ``IMAGE`` or ``IMAGE:K`` as (path, K), K 5 when not given."""
    out = []
    for spec in specs:
        path, sep, k = spec.rpartition(":")
        if not sep or Path(spec).is_file():
            out.append((spec, 5))
            continue
        if not (k.isdigit() and 1 <= int(k) <= MAX_EXTRACT):
            raise InputError(f"--extract {spec}: K after the ':' must be a whole number 1 to {MAX_EXTRACT}")
        out.append((path, int(k)))
    return out


def _palettes(cfg: StylesConfig, extracts: list[tuple[str, int]]) -> list[Palette]:
    """The named palettes, then one extracted from each (image, K) of ``extracts``."""
    out = [get_palette(p) for p in cfg.palettes]
    for path, k in extracts:
        pal = extract_palette(read_photo(path), k)
        if len(pal.lab) < k:
            print(f"note: {path} has only {len(pal.lab)} distinct colours; its palette has {len(pal.lab)}, not {k}",
                  file=sys.stderr)
        pal.name = f"from_{Path(path).stem}"
        out.append(pal)
    return out


def _learned_variant(renderer: Renderer, guides, palette: Palette, render: RenderConfig) -> np.ndarray:
    model = renderer.model
    learned = model.palette_lab().cpu().numpy()
    d = ((learned[:, None, :] - palette.lab[None]) ** 2).sum(-1)
    target = torch.from_numpy(palette.lab[d.argmin(axis=1)]).float()
    saved = model.palette.detach().clone()
    try:
        model.set_palette(target.to(model.palette.device))
        return renderer.draw_lines(render, guides, renderer.colorize(guides, render))
    finally:
        with torch.no_grad():
            model.palette.copy_(saved)


def _variant_name(pal: Palette) -> str:
    """The file stem of a palette's variant: its name (from a file the user gave, possibly
    hostile: '../../x') reduced to letters, digits, '.', '_' and '-', so it stays in --out."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", pal.name).strip("._") or "unnamed"
    return f"palette_{safe}"


def read_region_mapping(spec: str) -> dict:
    """``--mapping``: a JSON file, or the JSON itself (it starts with ``{``), of {region: palette
    index or role}."""
    inline = spec.lstrip().startswith("{")
    try:
        mapping = json.loads(spec if inline else Path(spec).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read the region mapping {spec}: {exc}") from None
    if not isinstance(mapping, dict):
        raise InputError(f"the region mapping is a JSON object {{region: palette index or role}}, got {spec!r:.80}")
    return mapping


def generate_styles(cfg: StylesConfig, progress: bool = True) -> dict:
    if cfg.mode == "fixed":
        raise InputError("--palette-mode fixed is now called posterize (nearest palette colour: flat regions, "
                         "new edges); the default, smooth, keeps the shading")
    if cfg.mode not in PALETTE_MODES:
        raise InputError(f"--palette-mode must be one of {', '.join(PALETTE_MODES)}, got {cfg.mode!r}")
    lightness = DEFAULT_LIGHTNESS[cfg.mode] if cfg.lightness is None else cfg.lightness
    if not 0 <= lightness <= 1:
        raise InputError(f"--lightness must be in [0, 1], got {lightness}")
    if cfg.mode == "learned" and cfg.lightness is not None:
        raise InputError("--lightness has no effect with --palette-mode learned (the network renders L)")
    if cfg.structure_floor is not None and cfg.mode != "smooth":
        raise InputError(f"--structure-floor is for --palette-mode smooth, not {cfg.mode}")
    floor = STRUCTURE_FLOOR if cfg.structure_floor is None else cfg.structure_floor
    if not 0 <= floor <= 1:
        raise InputError(f"--structure-floor must be in [0, 1] (0: no floor), got {floor}")
    if cfg.blend and len(cfg.styles) < 2:
        raise InputError("--blend needs two --style images")
    for w in cfg.blend:
        if not 0 <= w <= 1:  # NaN fails this too
            raise InputError(f"--blend weights lie in [0, 1] (0: the first style, 1: the second), got {w}")
    extracts = extract_specs(cfg.extract)
    if cfg.reference:  # everything a render from the photo alone cannot do is refused before it is read
        if cfg.mode in ("learned", "regions"):
            raise InputError(f"--palette-mode {cfg.mode} needs a trained model and --reference has none: use smooth "
                             "or posterize, or give --checkpoint instead")
        if cfg.styles:
            raise InputError("--style needs a trained model and --reference has none: give --checkpoint instead")
    palettes = _palettes(cfg, extracts)
    out = Path(cfg.out)
    outputs = [out / f for f in ("base.png", "contact_sheet.png", "styles.json")] + \
        [out / f"{_variant_name(pal)}.png" for pal in palettes] + [out / f"style_{Path(s).stem}.png" for s in cfg.styles] + \
        [out / f"blend_{w:.2f}.png" for w in cfg.blend]
    if cfg.reference:
        check_photo_only_request(cfg.render, cfg.reference, outputs)
        check_render_request(PHOTO_ONLY, cfg.render, outputs=outputs)
        renderer = Renderer.from_photo(cfg.reference, cfg.render.device)
    else:
        renderer = Renderer(cfg.render.checkpoint, cfg.render.device)
        if cfg.mode == "learned" and renderer.model_cfg.palette_size == 0:
            raise InputError("this checkpoint has no learned palette; train with --color-space lab --palette-size K")
        check_render_request(renderer.model_cfg, cfg.render, outputs=outputs,
                             keeps_photo=renderer.reference is not None)
    check_training_photo_kept(cfg.render.tones, renderer.reference is not None)
    if cfg.styles:
        check_network_colours(renderer.model_cfg, cfg.render.bw_colour, "--style")
    if cfg.mode == "learned":
        check_network_colours(renderer.model_cfg, cfg.render.bw_colour, "--palette-mode learned")
    for path in [*cfg.styles, *(path for path, _ in extracts)]:
        if any(Path(path).resolve() == o.resolve() for o in outputs):
            raise InputError(f"refusing to write over the input file {path}; choose another --out")
    guides, _ = renderer.guides(cfg.render, progress)
    renderer.check(guides)
    note_idle_hint_fill(cfg.render.hint_fill, "--hints", cfg.render.hints)
    mapping = None
    if cfg.mode == "regions":
        if guides.mask is None:
            raise InputError("--palette-mode regions needs a semantic mask: --mask FILE")
        if cfg.mapping:
            mapping = read_region_mapping(cfg.mapping)
    base = renderer.colorize(guides, cfg.render)
    base = renderer.finish(cfg.render, guides, base)  # as process.py renders it (--align, --hint-fill)
    write_image(out / "base.png", base)
    images, caps, rows = [base], ["base"], []
    bar = progress_bar(total=len(palettes) + len(cfg.styles) + len(cfg.blend), desc="variants", disable=not progress,
               leave=False)
    for pal in palettes:
        moved = None
        if cfg.mode == "smooth":
            v, moved = smooth_variant(base, pal, SmoothTransfer(lightness=lightness, structure_floor=floor))
        elif cfg.mode == "posterize":
            v = apply_posterize(base, pal, lightness)
        elif cfg.mode == "regions":
            v = apply_regions(base, guides.mask, pal, mapping, lightness)
        else:
            v = _learned_variant(renderer, guides, pal, cfg.render)
        name = _variant_name(pal)
        write_image(out / f"{name}.png", v)
        row = {"variant": name, "mode": cfg.mode, "palette": pal.name, "palette_lab": pal.lab.round(2).tolist(),
               **variant_scores(v, base, pal)}
        if moved is not None:   # the share of the lightness change made (--lightness, or less for the floor)
            row["lightness_moved"] = round(moved, 4)
        rows.append(row)
        images.append(v)
        caps.append(f"{pal.name}: SSIM {row['structure_ssim']:.2f} grad {row['gradient_corr']:.2f} "
                    f"dE {row['palette_delta_e00']:.1f}")
        bar.update()
    codes = [renderer.style_code(s) for s in cfg.styles]
    for path, code in zip(cfg.styles, codes):
        v = renderer.draw_lines(cfg.render, guides, renderer.colorize(guides, cfg.render, code))
        name = f"style_{Path(path).stem}"
        write_image(out / f"{name}.png", v)
        rows.append({"variant": name, "style": path, **variant_scores(v, base)})
        images.append(v)
        caps.append(f"style: {Path(path).stem}")
        bar.update()
    for w in cfg.blend:
        code = (1 - w) * codes[0] + w * codes[1]
        v = renderer.draw_lines(cfg.render, guides, renderer.colorize(guides, cfg.render, code))
        name = f"blend_{w:.2f}"
        write_image(out / f"{name}.png", v)
        rows.append({"variant": name, "styles": cfg.styles[:2], "weight": w, **variant_scores(v, base)})
        images.append(v)
        caps.append(f"style blend w={w:.2f}")
        bar.update()
    bar.close()
    write_image(out / "contact_sheet.png", contact_sheet(images, caps, cols=min(4, len(images)), cell_width=320))
    source = {"reference": str(cfg.reference)} if cfg.reference else {"checkpoint": str(cfg.render.checkpoint)}
    report = {**source, "mode": cfg.mode,
              "lightness": None if cfg.mode == "learned" else lightness,
              "structure_floor": floor if cfg.mode == "smooth" else None, "variants": rows, "scores": SCORE_DOC}
    write_json(out / "styles.json", report)
    return report
