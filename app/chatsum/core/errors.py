"""Errors a user can act on.

Every failure that reaches a person goes through `ChatsumError`, whose
`user_message` says what happened and what to do. The CLI turns these into one
clean line and an exit code; the GUI shows them in a dialog. Anything that is
not a `ChatsumError` is a bug and is shown with details and logged.
"""

from __future__ import annotations


class ChatsumError(Exception):
    """Base class: `user_message` is shown to the user as is."""

    exit_code = 1

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class Cancelled(ChatsumError):
    """The user cancelled a long operation; nothing partial was kept."""

    exit_code = 130

    def __init__(self, user_message: str = "Cancelled.") -> None:
        super().__init__(user_message)


class ImportFormatError(ChatsumError):
    """A file is not a chat export we can read, or is malformed.

    Names the file, the line or record, and what was expected.
    """

    exit_code = 3

    def __init__(self, file: str, location: str | None, problem: str) -> None:
        where = f"{file} {location}" if location else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.location = location
        self.problem = problem


class UnsafeArchiveError(ImportFormatError):
    """A zip archive tries path traversal, links, or decompresses too much."""


class NotFoundError(ChatsumError):
    """A conversation, model or other named thing does not exist."""

    exit_code = 4


class ConfigError(ChatsumError):
    """A setting has a value we cannot use."""

    exit_code = 2


class ModelError(ChatsumError):
    """A model file is missing, corrupt, unverified, or does not fit."""

    exit_code = 5


class ContextOverflowError(ModelError):
    """A prompt does not fit the model's context window."""

    def __init__(self, needed_tokens: int, available_tokens: int, what: str = "prompt") -> None:
        super().__init__(
            f"The {what} needs {needed_tokens} tokens but the model's context window "
            f"leaves room for {available_tokens}. Choose a shorter range or raise the "
            "context size in the model settings."
        )
        self.needed_tokens = needed_tokens
        self.available_tokens = available_tokens
