"""The errors lifecircle raises: the command line's error kinds as Python exceptions.

Each carries the message the command line prints (file, layer, feature, what is wrong and what to
do) and its parts as attributes: ``file``, ``layer``, ``feature`` (empty when not known) and
``problem`` (the message without the place).
"""


class Error(Exception):
    """Base of every error lifecircle reports (the command line's exit codes 2 to 4)."""

    file = ""
    layer = ""
    feature = ""
    problem = ""


class InputError(Error, ValueError):
    """The input data is missing, unreadable or wrong (the command line's exit code 3)."""


class UsageError(Error, ValueError):
    """An argument is wrong or arguments do not fit together (exit code 2)."""


class OutputError(Error, OSError):
    """An output could not be written; nothing was replaced (exit code 4)."""


class Cancelled(Error):
    """The progress callback returned False: the study stopped and wrote nothing."""


class LifecircleWarning(UserWarning):
    """Something the user should know that is not an error (unsnapped points, missing areas)."""
