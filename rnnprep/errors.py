"""Errors meant for people: the CLI prints their message as one paragraph, never a traceback."""


class RnnprepError(Exception):
    """A problem the user can fix; the message names the file/line/option at fault."""

    exit_code = 2


class BankError(RnnprepError):
    """One or more question banks are invalid."""


class StoreError(RnnprepError):
    """The progress store cannot be used."""
