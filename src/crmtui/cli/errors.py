"""How an exception becomes an exit code and a one-line message."""

from crmtui.core.errors import CRMError


def exit_for(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, CRMError):
        return exc.exit_code, str(exc)
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from crmtui.core.db import describe_db_error

    if isinstance(exc, DBAPIError):
        return 1, describe_db_error(exc)
    if isinstance(exc, SQLAlchemyError):
        return 1, f"database error: {str(exc).splitlines()[0]}"
    if isinstance(exc, OSError):
        return 1, f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return 1, f"unexpected error: {type(exc).__name__}: {exc} (set CRM_DEBUG=1 for details)"
