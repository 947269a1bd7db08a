"""On a terminal a delete, merge or bulk assign asks first, without holding the write lock."""

import sqlite3

import pytest
import typer

import crmtui.core.db as dbmodule
from crmtui.cli import options

COMMANDS = {
    "contact delete": ("contact", "delete", "2"),
    "contact merge": ("contact", "merge", "1", "2"),
    "contact assign": ("contact", "assign", "--tag", "vip", "--to", "kim"),
    "company delete": ("company", "delete", "Engines Ltd"),
    "deal delete": ("deal", "delete", "1"),
    "task delete": ("task", "delete", "1"),
    "log delete": ("log", "delete", "1"),
    "tag delete": ("tag", "delete", "vip"),
}


@pytest.fixture
def asked(crm, db_path, monkeypatch):
    """What was asked, each time after another process wrote while the question was open."""
    crm.ok("user", "add", "kim")
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com", "--tag", "vip",
           "--company", "Engines Ltd")  # fmt: skip
    crm.ok("contact", "add", "A. Lovelace", "--email", "ada@work.example")
    crm.ok("deal", "add", "Engines", "--contact", "2", "--amount", "5")
    crm.ok("task", "add", "Send plans", "--contact", "2")
    crm.ok("log", "call", "2", "--summary", "Talked")
    monkeypatch.setattr(dbmodule, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(options, "at_a_terminal", lambda: True)
    questions = []

    def answer_no(text, default=False):
        other = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails if the command holds the write lock
            other.execute("ROLLBACK")
        finally:
            other.close()
        questions.append(text)
        return False

    monkeypatch.setattr(typer, "confirm", answer_no)
    return questions


@pytest.mark.parametrize("name", COMMANDS)
def test_the_question_keeps_no_writer_waiting_and_no_changes_nothing(crm, asked, name):
    before = [crm.json(*what, "list", "--limit", "0") for what in (("contact",), ("deal",))]

    result = crm(*COMMANDS[name])

    assert result.exit_code == 1 and len(asked) == 1, result.stderr
    assert asked[0].split()[0] in ("Delete", "Merge", "Give")
    after = [crm.json(*what, "list", "--limit", "0") for what in (("contact",), ("deal",))]
    assert after == before
