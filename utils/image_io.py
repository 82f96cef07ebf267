"""All image, depth, mask and array I/O in one place.

Conventions used everywhere in SemColorNet:
- photos are ``float32`` arrays of shape (H, W, 3) in [0, 1], RGB;
- sketches are (H, W) in [0, 1], dark lines (0) on white (1);
- depth is (H, W) in [0, 1], larger = nearer (disparity convention), normalised per image;
- label masks are (H, W) ``int64``, 0..K-1.

Writes are atomic: a temporary file in the destination folder, then ``os.replace``,
so a killed run never leaves a half-written file, and no function here writes over
a path that was given as an input (see :func:`check_not_input`).
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from utils.errors import InputError

# Pillow refuses images over twice this (DecompressionBombError): 400 MP. An A0 scan at
# 600 dpi is ~ 300 MP; beyond that is almost surely a mistake.
Image.MAX_IMAGE_PIXELS = 200_000_000


def _require_file(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: {path}")
    if not path.is_file():
        raise InputError(f"not a file: {path}")
    return path


MIN_READ_SIDE = 8  # px; no image narrower than this is anything but a mistake here


def _png_header(path: Path) -> tuple[int, int] | None:
    """(bit depth, colour type) of a PNG file, None for other files."""
    with open(path, "rb") as fh:
        head = fh.read(26)
    if len(head) < 26 or not head.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    return head[24], head[25]


def _open_image(path) -> Image.Image:
    """Open and decode one still image, refusing what cannot be read faithfully."""
    path = _require_file(path)
    try:
        with warnings.catch_warnings():
            # Between MAX_IMAGE_PIXELS and twice that, Pillow only warns (over several lines); the
            # upper limit is its DecompressionBombError.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
            frames = getattr(img, "n_frames", 1)
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read image {path}: {exc.__class__.__name__}") from None
    except Image.DecompressionBombError:
        raise InputError(f"image {path} has more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} MP; "
                         "split it or scale it down first") from None
    if frames > 1:
        raise InputError(f"{path} holds {frames} frames (an animation or a multi-page file); "
                         "give a single still image")
    if min(img.size) < MIN_READ_SIDE:
        raise InputError(f"{path} is {img.size[0]}x{img.size[1]}; at least {MIN_READ_SIDE} px on each side is needed")
    if img.mode == "CMYK":
        raise InputError(f"{path} is a CMYK (print) image; convert it to RGB with its colour profile first")
    png = _png_header(path)
    if png is not None and png[0] == 16 and png[1] in (4, 6):  # 16-bit grayscale+alpha or RGBA
        raise InputError(f"{path} is a 16-bit image with an alpha channel, which cannot be read at full "
                         "precision; save it as 16-bit RGB or grayscale, without alpha")
    # Photos from cameras carry their rotation in EXIF; apply it so that sketch,
    # depth and photo all share the orientation the user sees.
    return ImageOps.exif_transpose(img)


def _to_unit_float(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 255.0
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / 65535.0
    if arr.dtype in (np.int32, np.int64, np.uint32):  # PIL's 'I' mode (16-bit PNGs open as I;16 or I)
        hi = 65535.0 if arr.max(initial=0) > 255 else 255.0
        return np.clip(arr.astype(np.float32) / hi, 0, 1)
    if np.issubdtype(arr.dtype, np.floating):
        return np.clip(arr.astype(np.float32), 0, 1)
    if arr.dtype == bool:
        return arr.astype(np.float32)
    raise InputError(f"unsupported pixel type {arr.dtype}")


GRAY_MODES = ("L", "I", "I;16", "I;16B", "I;16L", "F", "1", "LA")


def check_colour_photo(path, what: str) -> None:
    """Refuse a grayscale or transparent image where a colour photo is needed, from its header alone
    (a file that cannot be read is refused when it is read)."""
    if not Path(path).is_file():
        raise InputError(f"{what}: file not found: {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as img:  # lazy: the header, not the pixels
                mode, transparent = img.mode, "transparency" in img.info
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return
    if mode in GRAY_MODES:
        raise InputError(f"{what}: {path} is a grayscale image ({mode}); a colour photo is needed here")
    if mode in ("RGBA", "PA") or (mode == "P" and transparent):
        raise InputError(f"{what}: {path} has an alpha channel; flatten it onto a background first")


def read_photo(path, allow_gray: bool = True, allow_alpha: bool = True) -> np.ndarray:
    """Read a photo as (H, W, 3) float32 RGB in [0, 1].

    Grayscale photos are repeated to three channels and RGBA photos are composited on
    white, unless ``allow_gray`` / ``allow_alpha`` is False, in which case they are
    refused with a message (training needs real colour to learn from).
    8- and 16-bit files are both read at full precision.
    """
    img = _open_image(path)
    mode = img.mode
    if mode in GRAY_MODES:
        if not allow_gray:
            raise InputError(f"{path} is a grayscale image ({mode}); a colour photo is needed here")
        if mode == "LA":
            if not allow_alpha:
                raise InputError(f"{path} has an alpha channel; flatten it onto a background first")
            img = img.convert("L")
        arr = _to_unit_float(np.asarray(img))
        if arr.ndim == 3:
            arr = arr[..., 0]
        return np.repeat(arr[..., None], 3, axis=2)
    if mode in ("RGBA", "PA", "P") and ("transparency" in img.info or mode in ("RGBA", "PA")):
        if not allow_alpha:
            raise InputError(f"{path} has an alpha channel; flatten it onto a background first")
        rgba = np.asarray(img.convert("RGBA")).astype(np.float32) / 255.0
        alpha = rgba[..., 3:4]
        return rgba[..., :3] * alpha + (1.0 - alpha)
    if mode in ("RGB;16", "RGB;16B") or (np.asarray(img).dtype == np.uint16 and np.asarray(img).ndim == 3):
        arr = _to_unit_float(np.asarray(img))[..., :3]
    else:
        arr = _to_unit_float(np.asarray(img if mode == "RGB" else img.convert("RGB")))
    if not allow_gray:
        _refuse_colourless(arr, path)
    return arr


COLOURLESS_SPREAD = 2 / 255  # R, G and B of every pixel within this of each other: a grey image in a colour file


def _refuse_colourless(rgb: np.ndarray, path) -> None:
    """Refuse a colour file whose pixels are all grey (a black-and-white photo saved as RGB): there
    is no colour in it to learn."""
    if float((rgb.max(axis=2) - rgb.min(axis=2)).max()) <= COLOURLESS_SPREAD:
        raise InputError(f"{path} has no colour (its R, G and B are equal in every pixel): a colour photo is "
                         "needed here")


def read_gray(path) -> np.ndarray:
    """Read a single-channel image (sketch, luminance) as (H, W) float32 in [0, 1]."""
    img = _open_image(path)
    if img.mode in ("RGBA", "LA", "PA"):
        img = img.convert("RGBA")
        rgba = np.asarray(img).astype(np.float32) / 255.0
        gray = rgba[..., :3].mean(axis=2)
        return gray * rgba[..., 3] + (1.0 - rgba[..., 3])
    if img.mode in ("RGB", "P", "CMYK", "YCbCr"):
        img = img.convert("L")
    arr = _to_unit_float(np.asarray(img))
    return arr[..., 0] if arr.ndim == 3 else arr


def normalise_depth(depth: np.ndarray, source: str = "depth") -> np.ndarray:
    """Scale a depth (disparity) map to [0, 1] per image, refusing NaN and flat maps.

    Accepts (H, W) maps of integers, floats or booleans, and (H, W, C) maps whose channels
    are all equal (a gray image saved as colour)."""
    depth = np.asarray(depth)
    if not (np.issubdtype(depth.dtype, np.integer) or np.issubdtype(depth.dtype, np.floating)
            or depth.dtype == bool):
        raise InputError(f"{source}: depth must hold real numbers, got dtype {depth.dtype}")
    depth = depth.astype(np.float32)
    if depth.ndim == 3 and depth.shape[2] in (1, 3, 4):
        if depth.shape[2] > 1 and not (depth[..., 1:3] == depth[..., :1]).all():
            raise InputError(f"{source}: depth has {depth.shape[2]} channels that differ; give a one-channel map")
        depth = depth[..., 0]
    if depth.ndim != 2:
        raise InputError(f"{source}: depth must be a 2-D map, got shape {depth.shape}")
    if not np.isfinite(depth).all():
        bad = int((~np.isfinite(depth)).sum())
        raise InputError(f"{source}: depth has {bad} NaN or infinite values; fill them before use")
    lo, hi = float(depth.min()), float(depth.max())
    if hi - lo < 1e-8:
        raise InputError(f"{source}: depth is constant ({lo:g}); it carries no information (use --depth none)")
    return (depth - lo) / (hi - lo)


def _load_npy(path: Path, what: str) -> np.ndarray:
    """A plain (never pickled) array from a ``.npy`` file."""
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"cannot read {what} {path}: {first}") from None


def read_depth(path) -> np.ndarray:
    """Read a depth map (8/16-bit PNG, TIFF or ``.npy``), larger = nearer, as (H, W) in [0, 1]."""
    path = _require_file(path)
    if path.suffix.lower() == ".npy":
        arr = _load_npy(path, "depth")
    else:
        arr = np.asarray(_open_image(path)).astype(np.float32)
    return normalise_depth(arr, str(path))


MAX_LABELS = 1024  # regions a mask may have; a photo read as a colour-coded mask has tens of thousands


def read_mask(path) -> np.ndarray:
    """Read a label map (PNG, one integer label per pixel) as (H, W) int64, relabelled 0..K-1."""
    path = _require_file(path)
    if path.suffix.lower() == ".npy":
        arr = _load_npy(path, "mask")
        if not np.issubdtype(arr.dtype, np.integer):
            raise InputError(f"{path}: a mask must hold integer labels, got dtype {arr.dtype}")
    else:
        img = _open_image(path)
        arr = np.asarray(img)
        if arr.ndim == 3:  # a colour-coded label map: each distinct colour is a label
            flat = arr[..., :3].reshape(-1, 3)
            _, inverse = np.unique(flat, axis=0, return_inverse=True)
            arr = inverse.reshape(arr.shape[:2])
    if arr.ndim != 2:
        raise InputError(f"{path}: a mask must be a 2-D label map, got shape {arr.shape}")
    labels, inverse = np.unique(arr, return_inverse=True)
    if len(labels) > MAX_LABELS:
        raise InputError(f"{path} holds {len(labels)} distinct labels (at most {MAX_LABELS}): is it a photo? "
                         "A mask has one integer (or one flat colour) per region")
    return inverse.reshape(arr.shape).astype(np.int64)


def check_same_size(reference: np.ndarray, other: np.ndarray, what: str, ref_name: str = "photo") -> None:
    if reference.shape[:2] != other.shape[:2]:
        h, w = reference.shape[:2]
        oh, ow = other.shape[:2]
        raise InputError(f"{what} is {ow}x{oh} but the {ref_name} is {w}x{h}; they must be the same size")


MIN_SIDE = 32  # px; smaller photos carry too little to learn from


def check_photo_size(photo: np.ndarray, name) -> None:
    """Refuse photos too small to learn from (the upper bound is ``Image.MAX_IMAGE_PIXELS``)."""
    h, w = photo.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise InputError(f"{name} is {w}x{h}; at least {MIN_SIDE} px on each side is needed")


def read_training_photo(path) -> np.ndarray:
    """A photo to take colours from (``train.py --image``, the studio's upload, ``--reference``):
    :func:`read_photo`, refusing one with no colour, an alpha channel, or too small to learn from."""
    photo = read_photo(path, allow_gray=False, allow_alpha=False)
    check_photo_size(photo, path)
    return photo


def check_not_input(out_path, inputs) -> None:
    """Refuse to write ``out_path`` if it is one of the input files."""
    out = Path(out_path).resolve()
    for p in inputs:
        if p is not None and Path(p).exists() and Path(p).resolve() == out:
            raise InputError(f"refusing to write over the input file {p}; choose another output path")


def check_writable(out_path) -> None:
    """Refuse an output path that cannot be written: a folder, or a parent that is a file or read-only."""
    out = Path(out_path)
    if out.is_dir():
        raise InputError(f"cannot write {out}: it is a folder; name a file")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"cannot write {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write {out}: the folder {parent} is not writable")
    try:  # permissions do not tell everything (a read-only mount, /sys as root): try it
        tempfile.TemporaryFile(dir=parent).close()
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc.__class__.__name__} in {parent}") from None


IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP",
                 ".webp": "WEBP"}


def check_suffix(out_path, suffixes, what: str = "an output image") -> None:
    """Refuse an output path whose extension is not one of ``suffixes`` (the file's format follows it)."""
    if Path(out_path).suffix.lower() not in suffixes:
        raise InputError(f"cannot write {out_path}: {what} must end in {', '.join(sorted(suffixes))}")


def check_distinct(paths) -> None:
    """Refuse two outputs of one request that name the same file."""
    seen = set()
    for p in paths:
        if p is None:
            continue
        key = Path(p).resolve()
        if key in seen:
            raise InputError(f"two outputs would both be written to {p}; give each its own path or name")
        seen.add(key)


def check_writable_dir(out_dir) -> None:
    """Refuse an output folder that cannot be created or written to."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"cannot write into {out}: it is a file, not a folder")
    check_writable(out / "_")


def check_outputs(out_dir, names, inputs) -> None:
    """Refuse an output folder that cannot be written, or whose files ``names`` would replace an input."""
    check_writable_dir(out_dir)
    for name in names:
        check_not_input(Path(out_dir) / name, inputs)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; on success it is renamed onto ``path``.

    A destination that cannot be written (a read-only folder, a parent that is a file) is
    bad input: :class:`InputError`, and nothing is left behind."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix or ".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give outputs the usual mode
        try:
            os.replace(tmp, path)
        except OSError as exc:  # e.g. the destination is a folder
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def to_uint8(img: np.ndarray) -> np.ndarray:
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def write_image(path, img: np.ndarray) -> Path:
    """Write an image (H, W) or (H, W, 3) in [0, 1] (or uint8) as 8-bit, atomically."""
    arr = img if img.dtype == np.uint8 else to_uint8(img)
    with atomic_path(path) as tmp:
        Image.fromarray(arr).save(tmp, format=_format_for(path))
    return Path(path)


def write_depth(path_png, depth: np.ndarray, write_npy: bool = True) -> None:
    """Write depth in [0, 1] as a 16-bit PNG (and, by default, a float32 ``.npy`` beside it)."""
    arr16 = (np.clip(depth, 0, 1) * 65535.0 + 0.5).astype(np.uint16)
    with atomic_path(path_png) as tmp:
        Image.fromarray(arr16).save(tmp, format="PNG")
    if write_npy:
        with atomic_path(Path(path_png).with_suffix(".npy")) as tmp:
            with open(tmp, "wb") as fh:
                np.save(fh, depth.astype(np.float32))


def write_mask(path, labels: np.ndarray) -> None:
    """Write a label map as an 8-bit (<=256 labels) or 16-bit PNG."""
    dtype = np.uint8 if labels.max(initial=0) < 256 else np.uint16
    with atomic_path(path) as tmp:
        Image.fromarray(labels.astype(dtype)).save(tmp, format="PNG")


def write_json(path, obj) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def _format_for(path) -> str:
    return IMAGE_FORMATS.get(Path(path).suffix.lower(), "PNG")
