"""Shared fixtures: every test gets its own data dir and database file; nothing touches a real home."""

import pytest
from typer.testing import CliRunner

from crmtui.cli import app
from crmtui.core.db import Database, sqlite_url


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point the data dir, CRM_DB and the user at a temp dir for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("CRM_DB", str(tmp_path / "crm.db"))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.setenv("CRM_USER", "sam")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    return home


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "crm.db"


@pytest.fixture
def db(db_path):
    database = Database(sqlite_url(db_path))
    yield database
    database.dispose()


class CRM:
    """Runs the real `crm` app in-process, like a shell would."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(app, [str(a) for a in args], input=input)

    def ok(self, *args: str, input: str | None = None):
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}{result.stderr}"
        return result

    def json(self, *args: str):
        import json

        return json.loads(self.ok(*args, "--format", "json").stdout)


@pytest.fixture
def crm():
    return CRM()
