"""Database work off the UI thread: thread workers whose results and errors come back to the app."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker


def run_db(
    node: DOMNode,
    work: Callable[[Any], Any],
    on_done: Callable[[Any], None] | None = None,
    *,
    write: bool = False,
    group: str = "db",
    exclusive: bool = False,
    on_error: Callable[[str], None] | None = None,
) -> Worker:
    """Run `work(session)` in a thread: a read session, or one write transaction when `write`.

    Domain errors (and anything unexpected) never crash the app: the transaction is rolled back
    and the message goes to `on_error`, or to an error notification.
    """
    app = node.app

    def report(message: str) -> None:
        if on_error is not None:
            on_error(message)
        else:
            app.notify(message, severity="error", title="crm", timeout=8)

    def in_thread() -> None:
        from crmtui.core.errors import CRMError

        try:
            if write:
                with app.database.transaction(username=app.username) as session:
                    result = work(session)
            else:
                with app.database.session() as session:
                    result = work(session)
        except CRMError as exc:
            outcome: tuple[Callable, Any] = (report, str(exc))
        except Exception as exc:  # noqa: BLE001 - shown, not raised: the database is untouched
            outcome = (report, f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            if on_done is None:
                return
            outcome = (on_done, result)
        if get_current_worker().is_cancelled:
            return
        with suppress(RuntimeError):  # the app closed while the query ran
            app.call_from_thread(*outcome)

    return node.run_worker(
        in_thread, thread=True, group=group, exclusive=exclusive, exit_on_error=False
    )
