"""The view scripts' shared flags (--views, --amplitude, --duration, --focus), checked before any input is read."""
from __future__ import annotations

import math

from utils.errors import InputError

MAX_VIEWS = 120          # frames are held in memory: 120 views of a 12 MP photo are about 17 GiB as float32
MAX_DURATION_MS = 60_000  # a GIF frame's delay is stored in hundredths of a second


def check_view_options(views: int | None = None, amplitude: float | None = None, duration_ms: int | None = None,
                       focus: float | None = None) -> None:
    """Refuse a value the view scripts cannot honour, naming the flag (``None``: not a flag of that script)."""
    if views is not None and not 2 <= views <= MAX_VIEWS:
        raise InputError(f"--views must be 2 to {MAX_VIEWS}, got {views}")
    if amplitude is not None and not (math.isfinite(amplitude) and amplitude >= 0):
        raise InputError(f"--amplitude must be a number >= 0, got {amplitude}")
    if duration_ms is not None and not 10 <= duration_ms <= MAX_DURATION_MS:
        raise InputError(f"--duration must be 10 to {MAX_DURATION_MS} ms, got {duration_ms}")
    if focus is not None and not 0 <= focus <= 1:  # NaN fails this too
        raise InputError(f"--focus must lie in [0, 1], got {focus}")
