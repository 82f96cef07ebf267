"""CIELAB, the one way the project converts to and from it.

Every conversion between sRGB and CIELAB (D65 white) goes through kornia here, on tensors
(B, 3, H, W) and on numpy arrays (..., 3) alike, so a colour has one Lab value wherever it is
computed; L is in [0, 100] and a, b in about [-128, 127]. The network sees
``(L / 100, a / 128, b / 128)``. A Lab colour outside the sRGB gamut is brought in by reducing its
chroma at constant L* and hue (:func:`gamut_scale`), never by clipping R, G, B, which would
change its lightness: a black-and-white input's L* is kept exactly that way. Colour difference
is CIEDE2000 (scikit-image's formula, on these Lab values).
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
from skimage.color import deltaE_ciede2000

# kornia imports its geometry package, which uses the deprecated torch.jit.script decorator.
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*", category=FutureWarning)
import kornia.color as kc  # noqa: E402

AB_SCALE = 128.0
GAMUT_TOL = 1e-4  # an R, G or B this far outside [0, 1] still counts as in gamut (rounding)


def lab_to_normalised(lab: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) Lab -> (L/100, a/128, b/128)."""
    return torch.cat([lab[:, :1] / 100.0, lab[:, 1:] / AB_SCALE], dim=1)


def normalised_to_lab(x: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`lab_to_normalised`; L is clamped to [0, 100]."""
    return torch.cat([x[:, :1].clamp(0, 1) * 100.0, x[:, 1:] * AB_SCALE], dim=1)


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in [0, 1] -> linear light (IEC 61966-2-1)."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def gray_lightness(gray: np.ndarray) -> np.ndarray:
    """CIE L* / 100 of grey pixels (R = G = B = ``gray``, sRGB, [0, 1]): (H, W) float32 in [0, 1].

    Equal to ``rgb2lab`` of the grey RGB image, without building it (Y = linear value, D65)."""
    y = srgb_to_linear(np.clip(gray, 0, 1))
    f = np.where(y > (6 / 29) ** 3, np.cbrt(y), y / (3 * (6 / 29) ** 2) + 4 / 29)
    return ((116 * f - 16) / 100).astype(np.float32)


def photo_lightness(photo: np.ndarray) -> np.ndarray:
    """CIE L* / 100 of an (H, W, 3) RGB photo in [0, 1] (what a black-and-white print of it keeps)."""
    return (rgb_to_lab(photo)[..., 0] / 100).astype(np.float32)


def lightness_to_gray(lightness: np.ndarray) -> np.ndarray:
    """Inverse of :func:`gray_lightness`: the sRGB grey value with L* / 100 = ``lightness``."""
    fy = (np.clip(lightness, 0, 1) * 100 + 16) / 116
    y = np.where(fy > 6 / 29, fy ** 3, 3 * (6 / 29) ** 2 * (fy - 4 / 29))
    v = np.where(y <= 0.0031308, 12.92 * y, 1.055 * np.power(np.maximum(y, 0), 1 / 2.4) - 0.055)
    return np.clip(v, 0, 1).astype(np.float32)


def delta_e00(rgb_a: np.ndarray, rgb_b: np.ndarray) -> np.ndarray:
    """Per-pixel CIEDE2000 difference between two (..., 3) RGB images in [0, 1]."""
    return deltaE_ciede2000(rgb_to_lab(rgb_a), rgb_to_lab(rgb_b))


def mean_chroma(rgb: np.ndarray) -> float:
    """Mean Lab chroma sqrt(a^2 + b^2) of an (H, W, 3) RGB image in [0, 1]."""
    lab = rgb_to_lab(rgb)
    return float(np.hypot(lab[..., 1], lab[..., 2]).mean())


# --------------------------------------------------------------------------- conversions
def _as_pixels(values: np.ndarray) -> tuple[torch.Tensor, tuple]:
    """(..., 3) numpy -> (1, 3, N, 1) tensor (float32, or float64 for float64 input) and the shape."""
    arr = np.asarray(values)
    if not np.issubdtype(arr.dtype, np.floating):
        raise TypeError(f"expected float values (RGB in [0, 1] or CIELAB), got {arr.dtype}")
    dtype = np.float64 if arr.dtype == np.float64 else np.float32
    flat = np.ascontiguousarray(arr.reshape(-1, 3), dtype)
    return torch.from_numpy(flat).T[None, :, :, None], arr.shape


def _from_pixels(x: torch.Tensor, shape: tuple) -> np.ndarray:
    return x[0, :, :, 0].T.numpy().reshape(shape)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) sRGB in [0, 1] (clipped to it) -> (..., 3) CIELAB, float32 (float64 for float64 input)."""
    x, shape = _as_pixels(rgb)
    return _from_pixels(lab_of(x), shape)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """(..., 3) CIELAB -> (..., 3) sRGB in [0, 1], out-of-gamut colours brought in at constant L*
    and hue (:func:`lab_to_rgb_keep_lightness`)."""
    x, shape = _as_pixels(lab)
    return _from_pixels(lab_to_rgb_keep_lightness(x), shape)


def gamut_map(lab: np.ndarray) -> np.ndarray:
    """(..., 3) CIELAB with the a*, b* of colours outside the sRGB gamut scaled toward grey
    (constant L* and hue) until they fit; colours in gamut are returned unchanged."""
    x, shape = _as_pixels(lab)
    scale = gamut_scale(x.permute(0, 2, 3, 1).reshape(-1, 3))
    return _from_pixels(torch.cat([x[:, :1], x[:, 1:] * scale.T[None, :, :, None]], dim=1), shape)


def in_gamut(lab: np.ndarray) -> np.ndarray:
    """(...,) bool: whether each (..., 3) CIELAB colour is inside the sRGB gamut, to within
    :data:`GAMUT_TOL` (what :func:`gamut_map` brings a colour to)."""
    x, shape = _as_pixels(lab)
    return _rgb_inside(kc.lab_to_rgb(x, clip=False), dim=1)[0, :, 0].numpy().reshape(shape[:-1])


def lab_of(rgb: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) RGB tensor (clipped to [0, 1]) -> CIELAB, the same dtype."""
    return kc.rgb_to_lab(rgb.clamp(0, 1))


def image_to_lab(rgb: np.ndarray) -> torch.Tensor:
    """An (H, W, 3) RGB image in [0, 1] (numpy) -> CIELAB (1, 3, H, W) float32 tensor."""
    return lab_of(torch.from_numpy(np.ascontiguousarray(rgb, np.float32)).permute(2, 0, 1)[None])


def rgb_with_lightness(lightness: np.ndarray, ab: torch.Tensor) -> np.ndarray:
    """(H, W, 3) RGB with L* exactly ``lightness`` (H, W) L* / 100 (a black-and-white input's own)
    and the colour ``ab`` (1, 2, H, W) a*, b*, in gamut by chroma reduction
    (:func:`lab_to_rgb_keep_lightness`): the one way a black-and-white model's output keeps its input's L*."""
    light = torch.from_numpy(np.asarray(lightness, np.float32))[None, None] * 100.0
    return lab_to_rgb_keep_lightness(torch.cat([light, ab.float()], dim=1))[0].permute(1, 2, 0).numpy()


def _rgb_inside(rgb: torch.Tensor, tol: float = GAMUT_TOL, dim: int = -1) -> torch.Tensor:
    return ((rgb >= -tol) & (rgb <= 1 + tol)).all(dim=dim)


def gamut_scale(lab: torch.Tensor, iters: int = 12) -> torch.Tensor:
    """(N, 3) CIELAB -> (N, 1): the largest factor in [0, 1] (to 2^-``iters``) by which each colour's
    a*, b* can be multiplied and land inside the sRGB gamut (to within :data:`GAMUT_TOL`); 1 where it
    already is (grey always is)."""
    def to_rgb(colours: torch.Tensor) -> torch.Tensor:                          # (N, 3) Lab -> (N, 3) RGB
        return kc.lab_to_rgb(colours.T[None, :, :, None], clip=False)[0, :, :, 0].T

    scale = torch.ones_like(lab[:, :1])
    outside = ~_rgb_inside(to_rgb(lab), tol=0.0)
    if not bool(outside.any()):
        return scale
    light, ab = lab[outside, :1], lab[outside, 1:]
    lo, hi = torch.zeros_like(light), torch.ones_like(light)
    for _ in range(iters):
        mid = (lo + hi) / 2
        ok = _rgb_inside(to_rgb(torch.cat([light, ab * mid], dim=1)))[:, None]
        lo, hi = torch.where(ok, mid, lo), torch.where(ok, hi, mid)
    scale[outside] = lo
    return scale


def lab_to_rgb_keep_lightness(lab: torch.Tensor) -> torch.Tensor:
    """Lab (B, 3, H, W) -> RGB in [0, 1], bringing out-of-gamut colours into gamut by reducing
    their chroma (:func:`gamut_scale`) instead of clipping R, G, B, so L* and hue stay what they
    were (clipping changes lightness; grey is always in gamut). Only the out-of-gamut pixels are
    bisected."""
    rgb = kc.lab_to_rgb(lab, clip=False)
    outside = ~_rgb_inside(rgb, tol=0.0, dim=1)                                 # (B, H, W)
    if not bool(outside.any()):
        return rgb
    px = lab.permute(0, 2, 3, 1)[outside]                                       # (N, 3)
    mapped = torch.cat([px[:, :1], px[:, 1:] * gamut_scale(px)], dim=1)
    out = rgb.permute(0, 2, 3, 1).clone()
    out[outside] = kc.lab_to_rgb(mapped.T[None, :, :, None], clip=False)[0, :, :, 0].T.clamp(0, 1).to(out.dtype)
    return out.permute(0, 3, 1, 2)
