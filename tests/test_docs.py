"""The docs say what the program does: the CLI reference matches `--help`."""

from pathlib import Path

import pytest

from crmtui.cli.reference import cli_reference

pytestmark = pytest.mark.sqlite_only

ROOT = Path(__file__).parent.parent


def test_cli_reference_is_generated_from_the_current_help():
    current = (ROOT / "docs" / "cli.md").read_text()

    assert current == cli_reference(), (
        "docs/cli.md is stale: python -m crmtui.cli.reference > docs/cli.md"
    )
