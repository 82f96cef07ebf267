"""Ctrl-C at a safe point: a block of work that must land whole (an epoch's metrics row and its
checkpoint) finishes before an interrupt that arrives during it is delivered."""
from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def interrupt_deferred():
    """Within the block, SIGINT (Ctrl-C, the studio's Cancel) is held back; when the block ends
    it is delivered as ``KeyboardInterrupt``. Only the main thread receives signals, so elsewhere,
    and where SIGINT is ignored, this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
