"""Database work off the UI thread: thread workers whose results and errors come back to the app."""

import inspect
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

LOCKED_RETRIES = 2
LOCKED_PAUSE_SECONDS = 1.0


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
    and the message goes to `on_error`, or to an error notification. A database locked by another
    process (after the engine's own busy wait) is said so and retried a couple of times first.
    """
    app = node.app

    def report(message: str) -> None:
        if on_error is not None:
            on_error(message)
        else:
            app.notify(message, severity="error", title="crm", timeout=8)

    def attempt() -> Any:
        if write:
            with app.database.transaction(username=app.username) as session:
                return work(session)
        # one moment for all a view reads (on PostgreSQL too): its figures agree with each other
        with app.database.session(snapshot=True) as session:
            return work(session)

    def in_thread() -> None:
        from crmtui.core.errors import CRMError, OperationalError

        for tries_left in range(LOCKED_RETRIES, -1, -1):
            try:
                result = attempt()
            except OperationalError as exc:
                outcome: tuple[Callable, Any] = (report, str(exc))
                if "locked" not in str(exc) or not tries_left or get_current_worker().is_cancelled:
                    break
                with suppress(RuntimeError):
                    app.call_from_thread(
                        app.notify, f"{exc}: retrying ({tries_left} left)", severity="warning"
                    )
                time.sleep(LOCKED_PAUSE_SECONDS)
            except CRMError as exc:
                outcome = (report, str(exc))
                break
            except Exception as exc:  # noqa: BLE001 - shown, not raised: the database is untouched
                outcome = (report, f"unexpected error: {type(exc).__name__}: {exc}")
                break
            else:
                outcome = (on_done or (lambda _result: None), result)
                break
        if get_current_worker().is_cancelled:
            return
        deliver, value = outcome

        async def settle() -> None:  # one call: the worker ends as soon as the result is shown
            shown = deliver(value)
            # an async callback's coroutine; not a dismiss's AwaitComplete, which goes ahead
            # anyway and, awaited here, would cancel this worker with the form it closes
            if inspect.iscoroutine(shown):
                await shown
            if write and hasattr(app, "write_settled"):
                app.write_settled(deliver is not report)

        with suppress(RuntimeError):  # the app closed while the query ran
            app.call_from_thread(settle)

    return node.run_worker(
        in_thread,
        name="write" if write else "read",
        thread=True,
        group=group,
        exclusive=exclusive,
        exit_on_error=False,
    )
