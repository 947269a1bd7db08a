"""The keys of the task under the cursor, on every screen that lists tasks."""

from crmtui.tui.dbwork import run_db


class TaskKeys:
    """A screen's task keys; the screen has selected_task(), _saved() and refresh_data()."""

    def action_task_done(self) -> None:
        task_id = self.selected_task()
        if task_id is None:
            return

        def done(session) -> str:
            from crmtui.core.tasks import complete_task, get_task

            return complete_task(session, get_task(session, task_id)).title

        def finished(title: str) -> None:
            self.notify(f"Done: {title}", timeout=2)
            self.refresh_data()

        run_db(self, done, finished, write=True, group="task-write")

    def action_edit_task(self) -> None:
        from crmtui.tui.screens.forms import TaskFormScreen

        if (task_id := self.selected_task()) is not None:
            self.app.push_screen(TaskFormScreen(int(task_id)), self._saved)

    def action_delete_task(self) -> None:
        from crmtui.tui.screens.delete import ask_to_delete

        if (task_id := self.selected_task()) is not None:
            ask_to_delete(self, "task", int(task_id), self.refresh_data)
