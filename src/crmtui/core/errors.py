"""Domain exceptions raised by the core; each front end shows them its own way."""


class CRMError(Exception):
    """Base of every error the core raises on purpose."""

    exit_code = 1


class OperationalError(CRMError):
    """The database or a file could not be used (locked, missing, not a database)."""

    exit_code = 1


class Invalid(CRMError):
    """Input that the core refuses: a bad email, amount, date or option."""

    exit_code = 2


class NotFound(CRMError):
    """A record named by id, email or name does not exist."""

    exit_code = 3


class Ambiguous(Invalid):
    """A name matches several records; the message lists the candidates."""


class Conflict(CRMError):
    """The change clashes with existing data: a duplicate, a stale edit, a closed deal."""

    exit_code = 4
