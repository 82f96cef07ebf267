"""Named architectural palettes, palette files, and palette extraction.

A :class:`Palette` holds colours in CIELAB (L in [0, 100], a and b in [-128, 127]) with an
optional role each (``wall``, ``roof``, ``trim``, ``glazing``, ``sky``, ``ground``).
Built-in palettes are written in the space their authors think in: HSV (H in degrees,
S and V in [0, 1]) or Lab, and converted once, here.

Files: JSON ``{"name": ..., "space": "lab"|"hsv"|"rgb", "colors": [{"value": [...], "role": ...}, ...]}``
(RGB as 0..255) and GIMP ``.gpl`` palettes (``R G B name`` lines; a name that is a role
sets the role). :func:`extract_palette` finds k colours of any image by k-means in Lab.
"""
from __future__ import annotations

import colorsys
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from utils.cielab import lab_to_rgb, rgb_to_lab
from utils.errors import InputError

ROLES = ("wall", "roof", "trim", "glazing", "sky", "ground")


@dataclass
class Palette:
    name: str
    lab: np.ndarray                                   # (K, 3) CIELAB
    roles: list[str | None] = field(default_factory=list)

    def __post_init__(self):
        self.lab = np.asarray(self.lab, dtype=np.float64).reshape(-1, 3)
        if len(self.lab) == 0:
            raise InputError(f"palette {self.name!r} has no colours")
        if not self.roles:
            self.roles = [None] * len(self.lab)
        if len(self.roles) != len(self.lab):
            raise InputError(f"palette {self.name!r}: {len(self.roles)} roles for {len(self.lab)} colours")
        bad = [r for r in self.roles if r is not None and r not in ROLES]
        if bad:
            raise InputError(f"palette {self.name!r}: unknown role {bad[0]!r}; roles are {', '.join(ROLES)}")

    @property
    def rgb(self) -> np.ndarray:
        """(K, 3) sRGB in [0, 1]."""
        return lab_to_rgb(self.lab)

    def role_index(self, role: str) -> int | None:
        return self.roles.index(role) if role in self.roles else None


def _check_range(name: str, values: np.ndarray, lo, hi, space: str) -> None:
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    if not np.isfinite(values).all() or (values < lo).any() or (values > hi).any():
        i = int(np.argmax(((values < lo) | (values > hi) | ~np.isfinite(values)).any(axis=1)))
        raise InputError(f"palette {name!r}: colour {i + 1} {values[i].tolist()} is out of gamut for {space} "
                         f"(expected {lo.tolist()} .. {hi.tolist()})")


def to_lab(values, space: str, name: str = "palette") -> np.ndarray:
    """Colours in ``space`` (lab | hsv with H in degrees | rgb 0..255) -> (K, 3) Lab."""
    try:
        v = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError(f"palette {name!r}: each colour is 3 numbers, got {values!r:.80}") from None
    if v.ndim != 2 or v.shape[1] != 3:
        raise InputError(f"palette {name!r}: each colour needs 3 values, got shape {v.shape}")
    if space == "lab":
        _check_range(name, v, [0, -128, -128], [100, 127, 127], "lab")
        return v
    if space == "hsv":
        _check_range(name, v, [0, 0, 0], [360, 1, 1], "hsv (H in degrees, S and V in 0..1)")
        rgb = np.array([colorsys.hsv_to_rgb((h % 360) / 360, s, val) for h, s, val in v])
    elif space == "rgb":
        _check_range(name, v, [0, 0, 0], [255, 255, 255], "rgb (0..255)")
        rgb = v / 255.0
    else:
        raise InputError(f"palette {name!r}: space must be lab, hsv or rgb, got {space!r}")
    return rgb_to_lab(rgb)


def _hsv(name, colours):
    return Palette(name, to_lab([c[0] for c in colours], "hsv", name), [c[1] for c in colours])


PALETTES: dict[str, Palette] = {
    "brick_slate": _hsv("brick_slate", [((8, 0.62, 0.55), "wall"), ((215, 0.18, 0.35), "roof"),
                                        ((40, 0.10, 0.92), "trim"), ((205, 0.25, 0.45), "glazing"),
                                        ((95, 0.20, 0.40), "ground")]),
    "whitewash_terracotta": _hsv("whitewash_terracotta", [((45, 0.06, 0.95), "wall"), ((16, 0.70, 0.70), "roof"),
                                                          ((205, 0.55, 0.55), "trim"), ((200, 0.20, 0.30), "glazing"),
                                                          ((35, 0.25, 0.65), "ground")]),
    "sandstone": _hsv("sandstone", [((38, 0.35, 0.82), "wall"), ((28, 0.45, 0.55), "roof"),
                                    ((45, 0.18, 0.93), "trim"), ((30, 0.30, 0.30), "glazing"),
                                    ((40, 0.25, 0.60), "ground")]),
    "concrete_glass": Palette("concrete_glass", to_lab([[68, 0, 2], [40, -2, -4], [85, 0, 0], [45, -8, -22],
                                                        [30, 0, 0]], "lab", "concrete_glass"),
                              ["wall", "roof", "trim", "glazing", "ground"]),
    "heritage_ochre": _hsv("heritage_ochre", [((42, 0.60, 0.78), "wall"), ((10, 0.35, 0.40), "roof"),
                                              ((120, 0.25, 0.35), "trim"), ((40, 0.12, 0.90), "glazing"),
                                              ((30, 0.30, 0.45), "ground")]),
    "nordic_timber": _hsv("nordic_timber", [((2, 0.70, 0.50), "wall"), ((0, 0.0, 0.18), "roof"),
                                            ((0, 0.0, 0.95), "trim"), ((210, 0.30, 0.40), "glazing"),
                                            ((100, 0.30, 0.35), "ground")]),
}


def load_palette(path) -> Palette:
    """A palette from a JSON or GIMP .gpl file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"palette file not found: {path}")
    text = path.read_text(errors="replace")
    if path.suffix.lower() == ".gpl":
        lines = text.splitlines()
        if not lines or lines[0].strip() != "GIMP Palette":
            raise InputError(f"{path} is not a GIMP palette (first line must be 'GIMP Palette')")
        values, roles = [], []
        for ln in lines[1:]:
            ln = ln.strip()
            if not ln or ln.startswith("#") or ln.lower().startswith(("name:", "columns:")):
                continue
            parts = ln.split()
            try:
                values.append([float(x) for x in parts[:3]])
            except ValueError:
                raise InputError(f"{path}: cannot read colour line {ln!r}") from None
            label = " ".join(parts[3:]).strip().lower()
            roles.append(label if label in ROLES else None)
        if not values:
            raise InputError(f"{path}: the palette has no colours")
        return Palette(path.stem, to_lab(values, "rgb", path.stem), roles)
    shape = 'an object {"space": "rgb", "colors": [[200, 80, 40], {"value": [90, 90, 95], "role": "roof"}]}'
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: malformed palette JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("colors"), list):
        raise InputError(f"{path}: malformed palette JSON: expected {shape}") from None
    colours = data["colors"]
    if any(isinstance(c, dict) and "value" not in c for c in colours):
        raise InputError(f'{path}: malformed palette JSON: a colour given as an object needs "value"') from None
    values = [c["value"] if isinstance(c, dict) else c for c in colours]
    roles = [c.get("role") if isinstance(c, dict) else None for c in colours]
    space, name = data.get("space", "lab"), data.get("name", path.stem)
    if not values:
        raise InputError(f"{path}: the palette has no colours")
    return Palette(name, to_lab(values, space, name), roles)


def get_palette(name_or_path: str) -> Palette:
    if name_or_path in PALETTES:
        return PALETTES[name_or_path]
    if Path(name_or_path).suffix.lower() in (".json", ".gpl"):
        return load_palette(name_or_path)
    raise InputError(f"unknown palette {name_or_path!r}; built-in: {', '.join(PALETTES)} (or a .json/.gpl file)")


def extract_palette(rgb: np.ndarray, k: int = 5, seed: int = 0, max_pixels: int = 200_000) -> Palette:
    """k representative colours of an (H, W, 3) image in [0, 1]: k-means in Lab, largest cluster first."""
    import cv2

    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    lab = rgb_to_lab(np.asarray(rgb, np.float32)).reshape(-1, 3)
    if len(lab) > max_pixels:
        lab = lab[np.random.default_rng(seed).choice(len(lab), max_pixels, replace=False)]
    k = min(k, len(np.unique(lab.round(1), axis=0)))
    cv2.setRNGSeed(seed)
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 0.01)
    _, labels, centres = cv2.kmeans(lab, k, None, crit, 5, cv2.KMEANS_PP_CENTERS)
    order = np.argsort(-np.bincount(labels.ravel(), minlength=k))
    return Palette(f"extracted_{k}", centres[order].astype(np.float64))
