"""The installed entry points as a shell runs them: `crm`, `python -m crmtui`."""

import subprocess
import sys

from crmtui import __version__


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, input=stdin, timeout=60)


def test_version_via_python_m():
    result = run(sys.executable, "-m", "crmtui", "--version")

    assert result.returncode == 0
    assert result.stdout.strip() == f"crm {__version__}"


def test_crm_without_a_terminal_prints_help_instead_of_opening_the_app():
    result = run(sys.executable, "-m", "crmtui")

    assert result.returncode == 0
    assert "Usage: crm" in result.stdout and "contact" in result.stdout


def test_errors_from_a_real_process_are_one_line_with_the_exit_code():
    result = run(sys.executable, "-m", "crmtui", "contact", "show", "nobody@example.com")

    assert result.returncode == 3
    assert result.stderr == "crm: no contact with email nobody@example.com\n"


def test_piped_listing_is_csv_and_add_prints_the_id():
    added = run(
        sys.executable, "-m", "crmtui", "contact", "add", "Ada", "--email", "ada@example.com"
    )
    listed = run(sys.executable, "-m", "crmtui", "contact", "list")

    assert added.stdout == "1\n"
    assert listed.stdout.splitlines()[1].startswith("1,Ada,ada@example.com")
