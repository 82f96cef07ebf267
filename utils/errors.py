"""The one exception type for bad user input.

Every CLI catches :class:`InputError`, prints ``error: <message>`` on one line and
exits with code 2, so a user sees what was wrong without a traceback.
"""


class InputError(ValueError):
    """Input that the user can fix: a missing file, a wrong size, NaN in a depth map."""


EXIT_BAD_INPUT = 2
