"""Shared fixtures: every test gets its own data dir and database; nothing touches a real home.

Every test runs on SQLite and, as its `[postgres]` variant, on a fresh PostgreSQL database when
CRM_TEST_POSTGRES_URL is set (`.ci/start-postgres` prints it). Tests stay on SQLite only when they
ask for `db_path` (the SQLite file itself), carry `@pytest.mark.sqlite_only`, or live in tests/tui.
"""

import pg_backend  # tests/pg_backend.py: pytest puts this directory on sys.path
import pytest
from typer.testing import CliRunner

from crmtui.cli import app
from crmtui.core.db import Database, sqlite_url


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", pg_backend.backends_for(metafunc), indirect=True)


@pytest.fixture
def backend(request):
    """Which database this variant of the test runs on: "sqlite" or "postgres"."""
    if request.param == "postgres":
        pg_backend.require_server()
    return request.param


@pytest.fixture
def database_url(backend, tmp_path, request):
    """The URL of this test's own empty database, on the test's backend."""
    if backend == "sqlite":
        return sqlite_url(tmp_path / "crm.db")
    url = pg_backend.create_database(migrated=True)
    request.addfinalizer(lambda: pg_backend.drop_database(url))
    return url


@pytest.fixture
def new_database_url(backend, tmp_path, request):
    """A factory for more empty, unmigrated databases on the test's backend."""
    made = []

    def make() -> str:
        if backend == "sqlite":
            url = sqlite_url(tmp_path / f"extra-{len(made)}.db")
        else:
            url = pg_backend.create_database(migrated=False)
        made.append(url)
        return url

    yield make
    if backend == "postgres":
        for url in made:
            pg_backend.drop_database(url)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch, backend, database_url):
    """Point the data dir, the database and the user at a temp dir for every test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    if backend == "sqlite":
        monkeypatch.setenv("CRM_DB", str(tmp_path / "crm.db"))
        monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    else:
        monkeypatch.delenv("CRM_DB", raising=False)
        monkeypatch.setenv("CRM_DATABASE_URL", database_url)
    monkeypatch.setenv("CRM_USER", "sam")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TZ", "UTC")
    return home


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "crm.db"


@pytest.fixture
def db(database_url):
    database = Database(database_url)
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


def pytest_sessionfinish(session, exitstatus):
    pg_backend.drop_template()
