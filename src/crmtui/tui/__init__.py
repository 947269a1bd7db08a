"""The full-screen app: `run_app` is the one entry point; textual is imported only here."""


def run_app(database, username: str | None) -> None:
    """Open the Textual app on an opened `crmtui.core.db.Database`, acting as `username`."""
    from crmtui.tui.app import CRMApp

    CRMApp(database, username).run()
