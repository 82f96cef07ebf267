"""utils.signals: Ctrl-C during a block that must land whole is delivered after it."""
import os
import signal

import pytest

from utils.signals import interrupt_deferred


@pytest.fixture
def sigint_handler():
    """Python's own SIGINT handler for the test (a test run started in the background, e.g. by
    CI with nohup, inherits SIGINT ignored), restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_an_interrupt_inside_the_block_is_delivered_after_it(sigint_handler):
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupt_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the rest of the block ran")
    assert done == ["the rest of the block ran"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_no_interrupt_no_exception(sigint_handler):
    with interrupt_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_where_sigint_is_ignored_the_block_leaves_it_so():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupt_deferred():
            os.kill(os.getpid(), signal.SIGINT)  # ignored, as before
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
