"""Progress bars that suit where they are drawn: a terminal, or a log file or pipe.

tqdm redraws its bar many times a second. In a terminal that is one line changing in place; written
to a file or pipe (``train.sh`` in tmux with its log, a batch job's output, the studio's console log)
every redraw stays, and a long run leaves a flood of bars. So a bar whose stream is not a
terminal is redrawn at most every ``LOG_INTERVAL_S`` seconds: a log shows how the run moves on
without being flooded, and the studio, which reads train.py's last bar from its log, still sees
it advance.
"""
from __future__ import annotations

import sys

from tqdm import tqdm

LOG_INTERVAL_S = 5.0  # seconds between redraws of a bar written to a file or pipe


def progress_bar(iterable=None, **kwargs) -> tqdm:
    """``tqdm(iterable, **kwargs)``, redrawn at most every ``LOG_INTERVAL_S`` s when its stream
    (``file``, else stderr) is not a terminal (unless ``mininterval`` is given)."""
    stream = kwargs.get("file") or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not (callable(isatty) and isatty()):
        kwargs.setdefault("mininterval", LOG_INTERVAL_S)
    return tqdm(iterable, **kwargs)
