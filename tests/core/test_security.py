"""Private database files, a read-only PostgreSQL role, and passwords kept out of every message."""

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

from crmtui.core.db import Database, sqlite_url


@pytest.mark.sqlite_only
def test_the_database_and_its_wal_files_are_private(crm, tmp_path):
    path = tmp_path / "team.db"
    old_umask = os.umask(0o022)  # a typical umask would make new files world-readable
    try:
        crm.ok("--db", str(path), "contact", "add", "Ada", "--email", "ada@example.com")
        db = Database(sqlite_url(path))
        with db.transaction(username="sam") as session:  # holds the WAL open while we look
            from crmtui.core.contacts import add_contact
            from crmtui.core.schemas import ContactInput

            add_contact(session, ContactInput(name="Grace", emails=["grace@example.com"]))
            session.flush()
            files = [path, path.with_name("team.db-wal"), path.with_name("team.db-shm")]
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
        db.dispose()
    finally:
        os.umask(old_umask)

    assert modes == {"team.db": 0o600, "team.db-wal": 0o600, "team.db-shm": 0o600}


@pytest.mark.sqlite_only
def test_an_unreachable_server_is_named_without_its_password(crm, monkeypatch):
    monkeypatch.delenv("CRM_DB")
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql+psycopg://crm:Sup3rSecretPw@127.0.0.1:1/crm")

    result = crm("contact", "list")

    assert result.exit_code == 1
    assert "Sup3rSecretPw" not in result.output + result.stderr
    assert "127.0.0.1" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_database_url_given_as_db_or_crm_db_is_opened_not_made_a_file(
    crm, database_url, tmp_path, monkeypatch
):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("CRM_DB", str(tmp_path / "other.db"))

    crm.ok("--db", database_url, "contact", "add", "Ada", "--email", "ada@example.com")
    info = crm.json("--db", database_url, "db", "info")
    monkeypatch.setenv("CRM_DB", database_url)
    shown = crm.json("contact", "show", "ada@example.com")

    assert list(work.iterdir()) == []  # no file named after the URL
    assert info["counts"]["contacts"] == 1
    password = make_url(database_url).password
    assert not password or password not in info["location"]
    assert shown["name"] == "Ada"


@pytest.mark.postgres_only
def test_a_postgres_url_as_hosting_providers_give_it_is_accepted(crm, database_url, monkeypatch):
    url = make_url(database_url).set(drivername="postgres").render_as_string(False)
    monkeypatch.setenv("CRM_DATABASE_URL", url)

    info = crm.json("db", "info")

    assert info["backend"] == "postgresql"


@pytest.mark.sqlite_only
def test_a_url_with_a_bad_port_is_refused_in_one_line_without_its_password(crm, monkeypatch):
    monkeypatch.delenv("CRM_DB")
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql://crm:Sup3rSecretPw@db:5432x/crm")

    result = crm("contact", "list")

    assert result.exit_code == 1
    assert result.stderr.startswith("crm: not a database URL")
    assert "Sup3rSecretPw" not in result.output + result.stderr


@pytest.mark.sqlite_only
def test_an_at_sign_left_unencoded_in_a_password_is_explained_not_echoed(crm, monkeypatch):
    monkeypatch.delenv("CRM_DB")
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql://crm:Sup3r@SecretPw@127.0.0.1:1/crm")

    result = crm("contact", "list")

    assert result.exit_code == 1
    assert "SecretPw" not in result.output + result.stderr
    assert "%40" in result.stderr and "127.0.0.1" in result.stderr


@pytest.mark.postgres_only
def test_a_wrong_password_is_not_echoed_and_logs_hide_it(crm, database_url, caplog):
    wrong = make_url(database_url).set(password="Wr0ngSecretPw").render_as_string(False)
    os.environ["CRM_DATABASE_URL"] = wrong
    caplog.set_level(logging.DEBUG)

    result = crm("contact", "list")

    assert result.exit_code == 1
    assert "Wr0ngSecretPw" not in result.output + result.stderr + caplog.text
    assert "password" in result.stderr  # says what failed: password authentication
    os.environ["CRM_DATABASE_URL"] = database_url
    info = crm.ok("db", "info").stdout + crm.ok("db", "info", "--format", "json").stdout
    real = make_url(database_url).password
    assert real not in info
    assert real not in caplog.text


READ_ONLY_GRANTS = """
CREATE ROLE {role} LOGIN PASSWORD '{password}';
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
"""


@contextmanager
def login_role(database_url: str, grants: str, kind: str) -> Iterator[str]:
    """The URL of a new login role holding `grants` on the test database, dropped afterwards."""
    import psycopg

    url = make_url(database_url)
    role, password = f"crm_{kind}_{os.getpid()}", f"{kind}-pw"
    admin = psycopg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        dbname=url.database, autocommit=True,
    )  # fmt: skip
    admin.execute(f"DROP OWNED BY {role}") if _role_exists(admin, role) else None
    admin.execute(f"DROP ROLE IF EXISTS {role}")
    for statement in grants.format(role=role, password=password, database=url.database).split(";"):
        if statement.strip():
            admin.execute(statement)
    try:
        yield url.set(username=role, password=password).render_as_string(hide_password=False)
    finally:
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f'REVOKE ALL ON DATABASE "{url.database}" FROM {role}')
        admin.execute(f"DROP ROLE {role}")
        admin.close()


@pytest.fixture
def read_only_url(database_url):
    """A login role that may read everything and write nothing (the GRANTs of docs/team.md)."""
    with login_role(database_url, READ_ONLY_GRANTS, "reader") as url:
        yield url


def _role_exists(conn, role: str) -> bool:
    return conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


@pytest.mark.postgres_only
def test_a_role_that_may_not_migrate_is_told_who_must(crm, new_database_url, monkeypatch):
    from sqlalchemy import create_engine

    from crmtui.core.migrations import upgrade_to_head

    url = new_database_url()
    engine = create_engine(url)
    upgrade_to_head(engine, None, target="0013")  # as left by the crmtui before an upgrade
    engine.dispose()

    with login_role(url, READ_ONLY_GRANTS, "reader") as reader_url:
        monkeypatch.setenv("CRM_DATABASE_URL", reader_url)
        result = crm("contact", "list")

    assert result.exit_code == 1
    assert "upgraded from 0013 to" in result.stderr and "owns the schema" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.postgres_only
def test_a_read_only_role_reads_everything_and_writes_nothing(crm, read_only_url, monkeypatch):
    crm.ok("contact", "add", "Zoë Müller", "--email", "zoe@example.com", "--tag", "vip")
    crm.ok("deal", "add", "Engines", "--contact", "zoe", "--amount", "100")
    crm.ok("log", "call", "zoe", "--summary", "Intro")
    monkeypatch.setenv("CRM_DATABASE_URL", read_only_url)

    assert [c["name"] for c in crm.json("contact", "list")] == ["Zoë Müller"]
    assert [r["name"] for r in crm.json("search", "muller") if r["type"] == "contact"] == [
        "Zoë Müller"
    ]
    assert crm.json("deal", "list")[0]["title"] == "Engines"
    assert crm.json("history")[0]["entity"] == "interaction"
    crm.ok("contact", "show", "zoe")
    crm.ok("due")
    crm.ok("db", "info")
    crm.ok("export", "contacts", "--format", "csv")

    refused = crm("contact", "add", "Grace", "--email", "grace@example.com")

    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert "read-only" in refused.stderr
    assert "reader-pw" not in refused.stderr


def test_a_password_given_as_a_url_parameter_is_hidden_too():
    from crmtui.core.db import display_url

    shown = display_url(
        "postgresql+psycopg://crm@db.example.com/crm?password=Qu3rySecret&sslmode=require"
    )

    assert "Qu3rySecret" not in shown
    assert "db.example.com" in shown and "sslmode=require" in shown


TEAM_GRANTS = """
CREATE ROLE {role} LOGIN PASSWORD '{password}';
GRANT CONNECT ON DATABASE "{database}" TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
"""


@pytest.mark.postgres_only
def test_a_team_role_that_does_not_own_the_tables_imports_in_bulk(
    crm, database_url, monkeypatch, tmp_path
):
    crm.ok("contact", "add", "Zoë Müller", "--email", "zoe@example.com")  # schema made
    rows = "".join(f"Person {n},person{n}@example.com\n" for n in range(1200))
    (tmp_path / "people.csv").write_text("name,email\n" + rows)

    with login_role(database_url, TEAM_GRANTS, "team") as team_url:
        monkeypatch.setenv("CRM_DATABASE_URL", team_url)
        imported = crm.json("import", "contacts", str(tmp_path / "people.csv"))
        assert imported["inserted"] == 1200
        assert len(crm.json("search", "person1199")) == 1
