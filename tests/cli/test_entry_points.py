"""The installed entry points as a shell runs them: `crm`, `python -m crmtui`."""

import os
import subprocess
import sys

import pytest

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


@pytest.mark.parametrize(
    "command",
    [
        ("contact", "list"),
        ("contact", "list", "--format", "json"),
        ("contact", "list", "--format", "table"),
        ("contact", "show", "1", "--format", "json"),
        ("report", "monthly"),
        ("export", "contacts"),
    ],
)
def test_a_reader_that_stops_early_ends_the_output_quietly(command):
    run(sys.executable, "-m", "crmtui", "contact", "add", "Ada", "--email", "ada@example.com")
    reader, writer = os.pipe()
    os.close(reader)  # as `| head` does once it has its lines

    try:
        result = subprocess.run(
            (sys.executable, "-m", "crmtui", *command),
            stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    finally:
        os.close(writer)

    assert (result.returncode, result.stderr) == (0, "")


def test_importing_from_a_closed_stdin_says_so():
    result = subprocess.run(
        (sys.executable, "-m", "crmtui", "import", "contacts", "-"),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: os.close(0),
    )  # fmt: skip

    assert (result.returncode, result.stderr) == (1, "crm: cannot read <stdin>: it is closed\n")


@pytest.mark.parametrize("command", [("contact", "add", "Ada"), ("contact", "list")])
def test_a_closed_stdout_is_as_good_as_dev_null(command):
    result = subprocess.run(
        (sys.executable, "-m", "crmtui", *command),
        stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60,
        preexec_fn=lambda: os.close(1),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr
