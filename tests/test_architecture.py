"""The layers stay apart: the core, io and reports never pull in a terminal library."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only

FRONT_END_LIBRARIES = {"textual", "typer", "rich"}
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
for package in ("crmtui.core", "crmtui.io", "crmtui.reports"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if ".migrations." not in info.name:
            importlib.import_module(info.name)
"""


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def top_level_modules_after(code: str) -> set[str]:
    return {name.split(".")[0] for name in modules_after(code)}


def test_core_io_and_reports_import_no_front_end_library():
    loaded = top_level_modules_after(IMPORT_EVERY_MODULE)
    assert "crmtui" in loaded
    assert not loaded & FRONT_END_LIBRARIES


def test_the_cli_entry_point_imports_neither_textual_nor_the_sql_engine():
    loaded = top_level_modules_after("import sys; import crmtui.cli")
    assert not loaded & {"textual", "sqlalchemy", "sqlmodel"}


def test_front_ends_hold_no_sql():
    """The CLI and the app call services; only the CLI's error mapping names SQLAlchemy's errors."""
    src = Path(__file__).parent.parent / "src" / "crmtui"
    offenders = [
        str(path.relative_to(src))
        for folder in ("cli", "tui")
        for path in (src / folder).rglob("*.py")
        if re.search(r"^\s*(from|import) (sqlalchemy|sqlmodel)", path.read_text(), re.M)
        and path.name != "errors.py"
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "command",
    [
        ["search", "ada"],
        ["contact", "list"],
        ["contact", "list", "--owner", "sam"],
        ["contact", "show", "ada lovelace"],
        ["due"],
        ["task", "list"],
    ],
)
def test_reading_commands_build_no_orm(tmp_path, command):
    """They read plain rows: building the SQLModel classes would cost more than their queries."""
    path = str(tmp_path / "crm.db")
    subprocess.run(
        [sys.executable, "-m", "crmtui", "--db", path, "contact", "add", "Ada Lovelace"],
        check=True,
        capture_output=True,
    )
    loaded = modules_after(
        f"import sys\nsys.argv = {['crm', '--db', path, *command]!r}\n"
        "from crmtui.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code\n"
    )
    assert "crmtui.core.reads" in loaded
    assert not loaded & {"sqlalchemy.orm", "sqlmodel", "crmtui.core.models"}
