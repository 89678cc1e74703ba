"""Errors a user can act on: the CLI prints them without a traceback and exits with status 2."""


class InputError(ValueError):
    """An input path that matches nothing, or that cannot be read as what the stage expects."""
