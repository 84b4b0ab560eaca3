"""The project's one input-error type: every door (UI, REST, client API, CLI) maps it to a readable message."""


class InputError(ValueError):
    """Bad input from a user or a file: the message says what was wrong and what is accepted."""
