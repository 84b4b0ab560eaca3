"""The project's one input-error type: every door (UI, REST, client API, CLI) maps it to a readable message."""


class InputError(ValueError):
    """Bad input from a user or a file: the message says what was wrong and what is accepted."""


class NotFound(InputError):
    """A name (a title, collection, company, director) that matches nothing: REST answers 404.
    `suggestions` holds up to 5 close names (possibly none); the message names them too."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = list(suggestions or [])


class Unavailable(RuntimeError):
    """A piece a request needs (a catalog's data or model) is not loaded; the message says how to build it, or that
    it is still loading. REST answers 503, the UI a readable message."""
