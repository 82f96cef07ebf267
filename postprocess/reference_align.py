"""Carry the training photo's colours over where the input shows the same scene.

A restorer's historic drawing or black-and-white print of the building the model was trained
on, or another photo of the same facade or street, often lines up with the training photo
under one perspective map (a homography: exact for a plane such as a facade or a painted
wall, close for a distant scene). Where it does, the training photo itself says what colour
each part is, better than any network can guess from lines alone. This module finds that map
and, where it holds, takes the colours from the aligned training photo:

1. features: SIFT keypoints (OpenCV) on the input and the training photo, both brought to one
   form: for a *drawing*, both as line drawings (the training photo drawn with Canny, the input
   reduced to 1-px centre lines, ``preprocess/line_styles.py``), blurred so that a wobbling
   hand-drawn stroke still lands on the photo's edge; for a *black-and-white photo*, both as
   normalised lightness (``preprocess/restore.normalise_print``: an old print's halftone screen,
   dust and grain removed, contrast equalised), so an aged print matches where a clean one does;
2. matching with Lowe's ratio test, and a homography fitted by MAGSAC++ (``cv2.USAC_MAGSAC``);
3. the alignment is *used* only when it is trustworthy: at least :data:`MIN_INLIERS` matches
   agree with it, they are at least :data:`MIN_INLIER_RATIO` of the matches, and the aligned
   photo covers at least :data:`MIN_COVERAGE` of the input. Otherwise the network's colours
   stand alone; either way the caller says which, once (``Alignment.describe``);
4. refinement (mode ``auto``; ``homography`` skips it): one perspective map is exact only for a
   plane, so what stands in front of or behind it (parallax) lands beside its place. A dense
   optical flow (OpenCV's DIS, Kroeger et al. 2016) from the input to the aligned photo, both in
   the form they were matched in, moves each pixel the rest of the way (:func:`residual_flow`):
   on the bundled stereo pair, whose foreground and background shift by up to 45 px between the
   views, this is what puts the red of the tank on the tank;
5. blending: inside the aligned photo's footprint (feathered at its border, and moved by the same
   flow; for a black-and-white input also lowered where the photo's lightness disagrees with the
   input's, :func:`lightness_trust`: there it shows something else) the output takes its colours
   (for a black-and-white input only a*, b*: the input's own L* is kept exactly);
   outside, the network's, corrected toward the aligned photo near it (:func:`harmonise`): where the
   two overlap, the photo shows how far off the network's colours are here (a grey where the wall
   is red); that correction is carried past the footprint's edge by normalised convolution, fading
   with the share of a neighbourhood (:data:`HARMONISE_REACH` of the input's size) the photo covers, so the seam
   between the photo's colours and the network's softens and nearby parts it does not show follow.

Scenes that share no view with the training photo (a different building, the other half of a
panorama) give few agreeing matches and are left to the network.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from config.defaults import BAND_ROWS
from preprocess.line_styles import INK_THRESHOLD, photo_line_drawing
from postprocess.line_structure import REACH as LINE_REACH
from postprocess.line_structure import even_within_lines
from preprocess.restore import descreen, normalise_print
from preprocess.tone_curve import ToneCurve, fit_tone_curve
from utils.cielab import image_to_lab, lab_to_rgb_keep_lightness, photo_lightness, rgb_with_lightness

MIN_INLIERS = 30          # matches that agree with the homography
MIN_INLIER_RATIO = 0.2    # ... as a share of all ratio-test matches
MIN_COVERAGE = 0.1        # share of the input the aligned photo must cover
RATIO = 0.8               # Lowe's ratio test
LINE_BLUR = 2.0           # px: drawings are matched as blurred ink, so wobbly strokes still match
MAX_SIDE = 1024           # features are found on images brought down to this long side
FEATHER = 8               # px: width of the blend at the aligned photo's border
HARMONISE_REACH = 0.06    # the aligned photo's correction of the network's colours is blurred over this x the
                          # input's long side (48 px for an 800-px view) and reaches ~3 times as far past it
HARMONISE_SIDE = 256      # ... worked out on a grid with this long side
KINDS = ("drawing", "photo")
TRUST = (0.10, 0.25)      # L* / 100: where the aligned photo's lightness differs from a black-and-white input's (read
                          # through the input's tone curve) by more than the first, its colours are trusted less, and
                          # not at all past the second: the two show different things there
TRUST_BLUR = 2.0          # px: that difference is judged over a few pixels, not one (grain and a halftone's
                          # residue are pixel-sized at any scan size, so this does not grow with the input)


@dataclass
class Alignment:
    """The outcome of :func:`align`: a homography from input pixels to reference pixels, or why not."""
    homography: np.ndarray | None   # (3, 3) input px -> reference px; None when not used
    matches: int                    # ratio-test matches
    inliers: int                    # matches that agree with the homography
    coverage: float                 # share of the input the aligned reference covers
    reason: str = ""                # why the alignment is not used ("" when it is)
    refined: bool = False           # the perspective map was refined by dense flow (set by carry_colours)

    @property
    def used(self) -> bool:
        return self.homography is not None

    def describe(self) -> str:
        if self.used:
            how = "aligned photo (perspective map and dense flow)" if self.refined else "aligned photo (perspective map)"
            return (f"the input lines up with the training photo ({self.inliers} of {self.matches} feature matches "
                    f"agree); its colours are taken from the {how} over {100 * self.coverage:.0f} % of it")
        return f"no colours taken from the aligned training photo: {self.reason}"


@dataclass
class Found:
    """An input's alignment found once and reused by the rest of its render (``--tones photo`` finds
    it before the colours, reference alignment uses it after): the ``alignment``, whether it was
    ``refine``d by dense flow, the input's ``shape``, and where it is used the ``photo`` aligned to
    the input and its ``share`` of each pixel (:func:`aligned_photo`, trust included). The geometry
    is the input's whatever tones the render later gives it."""
    alignment: Alignment
    refine: bool
    shape: tuple[int, int]
    photo: np.ndarray | None = None
    share: np.ndarray | None = None


def _ink_image(drawing: np.ndarray) -> np.ndarray:
    """A line drawing (lines 0 on 1) as blurred ink, uint8 (lines bright)."""
    ink = cv2.GaussianBlur((drawing < INK_THRESHOLD).astype(np.float32), (0, 0), LINE_BLUR)
    return cv2.normalize(ink, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


def _feature_image(image: np.ndarray, kind: str, is_reference: bool) -> np.ndarray:
    if kind == "drawing":
        return _ink_image(photo_line_drawing(image) if is_reference else image)
    # Photos are matched as normalised lightness, both sides alike: an old print's halftone screen,
    # dust, grain and faded contrast removed or evened out (preprocess/restore.normalise_print)
    lightness = photo_lightness(image) if is_reference else image
    return np.round(normalise_print(lightness) * 255).astype(np.uint8)


def _shrink(img: np.ndarray) -> tuple[np.ndarray, float]:
    s = min(1.0, MAX_SIDE / max(img.shape[:2]))
    if s >= 1.0:
        return img, 1.0
    return cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), s


def align(reference: np.ndarray, target: np.ndarray, kind: str) -> Alignment:
    """Fit a homography from ``target`` to the ``reference`` photo ((H, W, 3) RGB in [0, 1]).

    ``kind``: ``drawing`` (``target`` a line drawing as a ``lines`` model reads it, lines 0 on
    white 1) or ``photo`` (``target`` the L* / 100 of a black-and-white photo)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    ref, s_ref = _shrink(_feature_image(reference, kind, True))
    tgt, s_tgt = _shrink(_feature_image(target, kind, False))
    sift = cv2.SIFT_create(nfeatures=5000)
    k_ref, d_ref = sift.detectAndCompute(ref, None)
    k_tgt, d_tgt = sift.detectAndCompute(tgt, None)
    if d_ref is None or d_tgt is None or len(k_ref) < 2 or len(k_tgt) < 2:
        return Alignment(None, 0, 0, 0.0, "too few features to match the training photo")
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(d_tgt, d_ref, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return Alignment(None, len(good), 0, 0.0,
                         f"it does not look like the training photo's scene ({len(good)} feature matches)")
    src = np.float32([k_tgt[m.queryIdx].pt for m in good]) / s_tgt
    dst = np.float32([k_ref[m.trainIdx].pt for m in good]) / s_ref
    threshold = max(3.0, 0.01 * max(target.shape[:2]))
    H, inl = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, threshold)
    inliers = 0 if inl is None else int(inl.sum())
    if H is None or inliers < max(MIN_INLIERS, MIN_INLIER_RATIO * len(good)):
        return Alignment(None, len(good), inliers, 0.0,
                         f"it does not line up with the training photo ({inliers} of {len(good)} feature matches agree)")
    if not plausible(H, target.shape[:2]):
        return Alignment(None, len(good), inliers, 0.0,
                         "the fitted perspective map mirrors, folds or shrinks the input beyond belief")
    coverage = float(_footprint(H, reference.shape[:2], target.shape[:2]).mean())
    if coverage < MIN_COVERAGE:
        return Alignment(None, len(good), inliers, coverage,
                         f"the training photo covers only {100 * coverage:.0f} % of the input")
    return Alignment(H, len(good), inliers, coverage)


def plausible(H: np.ndarray, shape, max_scale: float = 8.0) -> bool:
    """Whether homography ``H`` (input px -> reference px) is a view change a camera can make of an
    (h, w) input: no mirror image, no point of the input sent through infinity (every corner keeps
    a positive homogeneous weight), and a local scale within 1/max_scale .. max_scale everywhere
    on the input's corners and centre."""
    h, w = shape
    H = H / H[2, 2] if abs(H[2, 2]) > 1e-12 else H
    for x, y in ((0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1), ((w - 1) / 2, (h - 1) / 2)):
        u, v, q = H @ np.array([x, y, 1.0])
        if q <= 1e-9:
            return False
        # Jacobian of (u/q, v/q) at (x, y)
        jac = (H[:2, :2] * q - np.outer([u, v], H[2, :2])) / q ** 2
        det = float(np.linalg.det(jac))
        if det <= 0:
            return False
        sv = np.linalg.svd(jac, compute_uv=False)
        if sv.max() > max_scale or sv.min() < 1.0 / max_scale:
            return False
    return True


def _footprint(H: np.ndarray, ref_shape, out_shape) -> np.ndarray:
    """(h, w) float32: 1 where an input pixel maps inside the reference, else 0."""
    h, w = out_shape
    ones = np.ones(ref_shape, np.float32)
    return cv2.warpPerspective(ones, H, (w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP, borderValue=0)


def _weight(H: np.ndarray, ref_shape, out_shape) -> np.ndarray:
    """The aligned reference's footprint, eased to 0 over :data:`FEATHER` px at its border."""
    inside = _footprint(H, ref_shape, out_shape)
    dist = cv2.distanceTransform((inside > 0).astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip(dist / FEATHER, 0, 1).astype(np.float32)


def _warp(reference: np.ndarray, H: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The reference seen through ``H`` (output px -> reference px) on a (w, h) ``size`` canvas."""
    return cv2.warpPerspective(reference.astype(np.float32), H, size,
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE)


def residual_flow(reference: np.ndarray, H: np.ndarray, target: np.ndarray, kind: str,
                  warped: np.ndarray | None = None) -> np.ndarray:
    """(h, w, 2) float32 flow for an (h, w) input ``target``: input pixel (x, y) shows what the
    ``reference`` aligned by ``H`` (input px -> reference px) shows at (x, y) + flow. DIS optical
    flow (OpenCV, medium preset) between the two in the form :func:`align` matched them (blurred
    ink, or grey), computed with the input's long side at most :data:`MAX_SIDE` px (the kept
    reference has no finer detail; a large scan costs no more) and scaled up to the input.
    ``warped``: the reference already aligned to the full input, when the caller has it (used
    as it is when the input needs no shrinking)."""
    h, w = target.shape[:2]
    if warped is not None and warped.shape[:2] != (h, w):
        raise ValueError(f"warped is {warped.shape[:2]} but the input is {(h, w)}")
    s = min(1.0, MAX_SIDE / max(h, w))
    hs, ws = max(1, round(h * s)), max(1, round(w * s))
    small = target if s >= 1.0 else cv2.resize(target.astype(np.float32), (ws, hs), interpolation=cv2.INTER_AREA)
    if warped is None or (hs, ws) != (h, w):
        # the same map for the small input: small px -> input px -> reference px
        warped = _warp(reference, H @ np.diag([w / ws, h / hs, 1.0]), (ws, hs))
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    flow = dis.calc(_feature_image(small, kind, False), _feature_image(warped, kind, True), None)
    if (hs, ws) == (h, w):
        return flow
    return cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32([w / ws, h / hs])


def carry_colours(prediction: np.ndarray, reference: np.ndarray, alignment: Alignment,
                  lightness: np.ndarray | None = None, sketch: np.ndarray | None = None,
                  refine: bool = False, harmonise_network: bool = True,
                  strokes: np.ndarray | None = None, reach: float = LINE_REACH,
                  aligned: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The network's ``prediction`` (H, W, 3) RGB with the aligned reference's colours blended in,
    and the network's own colours corrected toward them nearby (:func:`harmonise`).

    ``lightness`` (H, W) L* / 100 of a black-and-white input: then only a*, b* are carried over
    and the output keeps that L* exactly (in-gamut by chroma reduction, as the network's output).
    ``refine``: move the perspective-aligned reference the rest of the way by
    :func:`residual_flow` against the input (``lightness``, or else the drawing ``sketch``).
    ``harmonise_network``: correct the network's colours near the aligned photo (:func:`harmonise`;
    off only to measure it). ``strokes`` (H, W) of a drawing (lines 0 on white 1): past the aligned
    photo's edge the network's part continues it area by area, within the drawing's lines, over
    ``reach`` px (:func:`continue_within_lines`), not along the footprint's straight feathered edge.
    ``aligned``: :func:`aligned_photo`'s result for this input and ``refine``, when the caller has it."""
    target, kind = (lightness, "photo") if lightness is not None else (sketch, "drawing")
    if refine and target is None:
        raise ValueError("refine needs the input: lightness (black-and-white photo) or sketch (drawing)")
    alignment.refined = refine and alignment.used
    if not alignment.used:
        return prediction
    warped, weight = aligned if aligned is not None else aligned_photo(reference, alignment, target, kind, refine)
    if harmonise_network:
        prediction = harmonise(prediction, warped, weight, lightness)
    out = blend(prediction, warped, weight, lightness)
    return out if strokes is None else continue_within_lines(out, weight, strokes, reach)


def aligned_photo(reference: np.ndarray, alignment: Alignment, target: np.ndarray, kind: str,
                  refine: bool, trust: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The training photo ``reference`` (RGB in [0, 1]) aligned to the (H, W) input ``target`` (a
    black-and-white photo's lightness or a drawing, ``kind`` as :func:`align` took it) by a used
    ``alignment`` -> ((H, W, 3) float32 the photo there, (H, W) float32 its share of each pixel:
    feathered at its border). ``refine``: moved the rest of the way by :func:`residual_flow`. For a
    black-and-white input the share is also lowered where the aligned photo's lightness disagrees
    with the input's (:func:`lightness_trust`), unless ``trust`` is off (the share the geometry
    alone gives: what a caller reading the print's tone curve needs)."""
    h, w = target.shape[:2]
    H = alignment.homography
    warped = _warp(reference, H, (w, h))
    weight = _weight(H, reference.shape[:2], (h, w))
    if refine:
        flow = residual_flow(reference, H, target, kind, warped)
        flow[..., 0] += np.arange(w, dtype=np.float32)[None, :]
        flow[..., 1] += np.arange(h, dtype=np.float32)[:, None]
        warped = cv2.remap(warped, flow[..., 0], flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # where the flow points outside the aligned photo, nothing is carried over from there
        weight = cv2.remap(weight, flow[..., 0], flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=0)
    if kind == "photo" and trust:
        weight = weight * lightness_trust(target, photo_lightness(np.clip(warped, 0.0, 1.0)), weight)
    return warped, weight


def lightness_trust(lightness: np.ndarray, photo: np.ndarray, share: np.ndarray, plain: np.ndarray | None = None,
                    curve: ToneCurve | None = None) -> np.ndarray:
    """(H, W) float32 in [0, 1]: how far the aligned photo, of lightness ``photo`` (L* / 100) and
    ``share`` of each pixel, can be trusted to show what a black-and-white input of ``lightness``
    shows. The input's lightness is the evidence: read through the print's tone curve
    (``preprocess/tone_curve.py``, fitted where the photo covers the input; an old print's tones
    differ from the photo's) it should match the photo's wherever the alignment is right. Where it
    does not (the dense flow dragged in something from elsewhere, which happens most at a blurred
    print's border; parallax the flow did not resolve) by more than :data:`TRUST`'s first value,
    blurred over :data:`TRUST_BLUR` px, trust falls, to none past the second. Where too little of
    the input lines up to read its tone curve, its tones say nothing here and trust is full.
    ``plain``: the input descreened and ``curve`` its tone curve, when the caller has them."""
    if plain is None:
        plain = descreen(lightness, "find")
    if curve is None:
        curve = fit_tone_curve(plain, photo, share, plain)
    if curve is None:
        return np.ones(plain.shape, np.float32)
    difference = cv2.GaussianBlur(np.abs(curve.apply(plain) - photo), (0, 0), TRUST_BLUR, borderType=cv2.BORDER_REFLECT)
    low, high = TRUST
    return np.clip((high - difference) / (high - low), 0.0, 1.0).astype(np.float32)


def continue_within_lines(carried: np.ndarray, weight: np.ndarray, strokes: np.ndarray,
                          reach: float = LINE_REACH) -> np.ndarray:
    """A drawing's output (H, W, 3) RGB where the aligned photo's share is ``weight``: outside the
    photo, each area the drawing's lines bound takes the colours evened out over it
    (:func:`postprocess.line_structure.even_within_lines`, the photo's part included), so a wall the
    photo shows in part goes on in the photo's colour up to its lines; inside, the photo's own."""
    evened = even_within_lines(carried, strokes, reach)
    w = weight[..., None]
    return (w * carried + (1 - w) * evened).astype(np.float32)


def harmonise(prediction: np.ndarray, aligned: np.ndarray, weight: np.ndarray, lightness: np.ndarray | None = None,
              reach: float = HARMONISE_REACH, band: int = BAND_ROWS) -> np.ndarray:
    """The network's ``prediction`` (H, W, 3) RGB corrected toward the ``aligned`` photo near it.

    Where the photo covers the input (``weight``, its share of each pixel) it says how far off the
    network is there: the correction is the photo's CIELAB minus the network's (a*, b* only with
    ``lightness``, a black-and-white input's L* / 100, which the result keeps). Those corrections,
    weighted by ``weight`` and Gaussian-blurred over ``reach`` x the input's long side, are added:
    that is the neighbourhood's mean correction (normalised convolution) times the share of the
    neighbourhood the photo covers, so it applies in full well inside the photo, about half at its
    edge, and fades to nothing ~3 sigma beyond (the image's own border reflects, so it does not
    thin the correction there). The blur does not stop at edges: a correction can lean across a
    roofline into the sky next to it.

    The correction is smooth at that scale, so it is worked out on a grid with the long side
    :data:`HARMONISE_SIDE` from each cell's coverage-weighted mean colours, and applied at full
    size in bands of ``band`` rows: memory beyond the images stays that of a band."""
    h, w = weight.shape
    s = min(1.0, HARMONISE_SIDE / max(h, w))
    size = (max(1, round(w * s)), max(1, round(h * s)))
    share = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    cell_mean = lambda rgb: cv2.resize(rgb * weight[..., None], size, interpolation=cv2.INTER_AREA) \
        / np.maximum(share, 1e-6)[..., None]  # noqa: E731
    small = (image_to_lab(cell_mean(aligned)) - image_to_lab(cell_mean(prediction)))[0].permute(1, 2, 0).numpy()
    if lightness is not None:
        small[..., 0] = 0.0
    small = cv2.GaussianBlur(small * share[..., None], (0, 0), reach * max(h, w) * s, borderType=cv2.BORDER_REFLECT)
    # full-size rows of the grid, bilinear as cv2.resize (pixel centres), one band at a time
    xs = np.broadcast_to(((np.arange(w) + 0.5) * size[0] / w - 0.5).astype(np.float32), (min(band, h), w))
    out = np.empty(prediction.shape, np.float32)
    for top in range(0, h, band):
        rows = slice(top, min(h, top + band))
        ys = ((np.arange(rows.start, rows.stop) + 0.5) * size[1] / h - 0.5).astype(np.float32)
        correction = cv2.remap(small, np.ascontiguousarray(xs[:len(ys)]),
                               np.ascontiguousarray(np.broadcast_to(ys[:, None], (len(ys), w))),
                               cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        lab = image_to_lab(prediction[rows]) + torch.from_numpy(correction).permute(2, 0, 1)[None]
        if lightness is not None:
            lab[:, 0] = torch.from_numpy(np.asarray(lightness[rows], np.float32)) * 100.0
        lab[:, 0] = lab[:, 0].clamp(0, 100)
        out[rows] = lab_to_rgb_keep_lightness(lab)[0].permute(1, 2, 0).numpy()
    return out


def blend(prediction: np.ndarray, aligned: np.ndarray, weight: np.ndarray,
          lightness: np.ndarray | None = None) -> np.ndarray:
    """``weight`` (H, W) of the ``aligned`` photo's colours over the network's ``prediction``
    (both (H, W, 3) RGB); with ``lightness`` (L* / 100 of a black-and-white input) only a*, b* are
    blended and the output keeps that L* exactly."""
    weight = weight[..., None]
    if lightness is None:
        return (weight * aligned + (1 - weight) * prediction).astype(np.float32)
    wt = torch.from_numpy(np.ascontiguousarray(weight)).permute(2, 0, 1)[None]
    ab = wt * image_to_lab(aligned)[:, 1:] + (1 - wt) * image_to_lab(prediction)[:, 1:]
    return rgb_with_lightness(lightness, ab).astype(np.float32)


def reference_image(photo: np.ndarray) -> np.ndarray:
    """The training photo as a checkpoint keeps it for alignment: uint8, long side at most :data:`MAX_SIDE`."""
    small, _ = _shrink(photo)
    return (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)


def align_and_carry(prediction: np.ndarray, reference: np.ndarray, sketch: np.ndarray | None,
                    lightness: np.ndarray | None, mode: str = "auto",
                    strokes: np.ndarray | None = None, reach: float = LINE_REACH,
                    found: Found | None = None) -> tuple[np.ndarray, Alignment]:
    """:func:`align` then :func:`carry_colours` for one input: a black-and-white photo
    (``lightness`` given: matched as a photo, its L* kept) or else a drawing (``sketch``).
    ``reference`` is RGB in [0, 1] or uint8 (as a checkpoint keeps it). ``mode``: ``auto``
    (perspective map refined by dense flow) or ``homography`` (the perspective map alone).
    ``strokes``: a drawing's lines, which the network's part follows past the photo's edge over
    ``reach`` px (:func:`carry_colours`). ``found``: this input's alignment for this ``mode``, when
    the caller found it already (ValueError if it was found for another input's shape or mode)."""
    if mode not in ("auto", "homography"):
        raise ValueError(f"mode must be auto or homography, got {mode!r}")
    if reference.dtype == np.uint8:
        reference = reference.astype(np.float32) / 255.0
    target = lightness if lightness is not None else sketch
    if found is None:
        alignment = align(reference, lightness, "photo") if lightness is not None else align(reference, sketch, "drawing")
        aligned = None
    elif found.refine != (mode == "auto") or found.shape != target.shape[:2]:
        raise ValueError(f"the alignment found was for a {found.shape} input, refined {found.refine}; this one is "
                         f"{target.shape[:2]} with mode {mode}")
    else:
        alignment = found.alignment
        aligned = (found.photo, found.share) if found.alignment.used else None
    out = carry_colours(prediction, reference, alignment, lightness, sketch, refine=mode == "auto", strokes=strokes,
                        reach=reach, aligned=aligned)
    return out, alignment
