"""utils/progress.py: a bar in a log file or pipe is redrawn seldom, in a terminal as tqdm does."""
import io
import time

from utils import progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_written_to_a_log_is_redrawn_seldom():
    """A second of work in 40 steps: tqdm alone redraws about ten times; into a log, only the start and the end."""
    log = io.StringIO()
    for _ in progress.progress_bar(range(40), file=log, desc="steps"):
        time.sleep(0.025)
    assert log.getvalue().count("\r") <= 3 and "40/40" in log.getvalue()


def test_a_bar_in_a_terminal_keeps_tqdm_s_pace_and_a_given_interval_wins():
    assert progress.progress_bar(range(3), file=_Terminal()).mininterval == 0.1
    assert progress.progress_bar(range(3), file=io.StringIO()).mininterval == progress.LOG_INTERVAL_S
    assert progress.progress_bar(range(3), file=io.StringIO(), mininterval=1.0).mininterval == 1.0
