"""utils.signals: Ctrl-C during a block that must land whole is delivered after it."""
import os
import signal

import pytest

from utils.signals import interrupt_deferred


def test_an_interrupt_inside_the_block_is_delivered_after_it():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with interrupt_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("the rest of the block ran")
    assert done == ["the rest of the block ran"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_no_interrupt_no_exception():
    with interrupt_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
