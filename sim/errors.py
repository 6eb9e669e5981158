"""The one error type that the command line turns into a clear message and exit status 2."""


class UserError(Exception):
    """Bad input from the user (file, key, value, folder): shown as one paragraph, no traceback."""
