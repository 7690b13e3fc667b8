"""User errors: shown as one line on stderr with exit status 1, never a traceback."""


class UserError(Exception):
    """Something the user can fix (a missing file, a bad id, an unset integration)."""
