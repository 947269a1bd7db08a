"""`crm log list|edit|delete`: finding, correcting and removing what was logged."""

import pytest


@pytest.fixture
def ada(crm):
    crm.ok("contact", "add", "Ada Lovelace", "--email", "ada@example.com")
    crm.ok("contact", "add", "Bob Stone", "--email", "bob@example.com")
    crm.ok("deal", "add", "Order", "--contact", "ada@example.com", "--amount", "10")
    crm.ok("log", "call", "ada@example.com", "-s", "Intro call", "--at", "2026-10-05 10:00",
           "--duration", "15m", "--outcome", "interested")  # fmt: skip
    crm.ok("log", "note", "ada@example.com", "-s", "Old note", "--at", "2026-09-01 09:00")
    crm.ok("log", "email", "bob@example.com", "-s", "Hello Bob", "--at", "2026-10-06 09:00")
    return crm


def ids(rows):
    return [row["id"] for row in rows]


def test_the_list_is_newest_first_and_narrows_by_contact_kind_deal_and_time(ada):
    assert ids(ada.json("log", "list")) == [3, 1, 2]
    assert ids(ada.json("log", "list", "--contact", "ada@example.com")) == [1, 2]
    assert ids(ada.json("log", "list", "--kind", "note")) == [2]
    assert ids(ada.json("log", "list", "--since", "2026-10-06")) == [3]
    assert ids(ada.json("log", "list", "--limit", "2")) == [3, 1]
    ada.ok("log", "edit", "1", "--deal", "1")
    assert ids(ada.json("log", "list", "--deal", "1")) == [1]


def test_the_list_pages_through_more_than_a_page_in_order(ada, monkeypatch):
    from crmtui.core import interactions

    monkeypatch.setattr(interactions, "LIST_PAGE", 2)
    for day in range(10, 15):  # two on each time: the id breaks the tie
        for _ in range(2):
            ada.ok("log", "chat", "bob@example.com", "-s", "Chat", "--at", f"2026-11-{day} 12:00")
    listed = ada.json("log", "list", "--limit", "0")
    keys = [(row["occurred_at"], row["id"]) for row in listed]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 13
    assert ids(ada.json("log", "list", "--limit", "5")) == ids(listed)[:5]


def test_an_edit_changes_only_what_is_given_and_moves_last_contacted(ada):
    out = ada.ok("log", "edit", "1", "--at", "2026-10-07 16:00", "--outcome", "").stderr
    assert "interaction 1" in out

    call = ada.json("log", "list", "--contact", "ada@example.com")[0]
    assert call["occurred_at"] == "2026-10-07T16:00:00+00:00"
    assert (call["subject"], call["duration_seconds"], call["outcome"]) == ("Intro call", 900, None)
    ada_now = ada.json("contact", "show", "ada@example.com")
    assert ada_now["last_contacted_at"] == "2026-10-07T16:00:00+00:00"
    ada.ok("log", "edit", "1", "--at", "2026-08-01 10:00")
    assert ada.json("contact", "show", "ada@example.com")["last_contacted_at"] == (
        "2026-09-01T09:00:00+00:00"  # the note is now the latest
    )


def test_an_edit_is_in_history_and_undone_by_crm_undo(ada):
    ada.ok("log", "edit", "1", "--summary", "Pricing call", "--duration", "")
    ada.ok("log", "edit", "3", "--summary", "Hi Bob")
    change = ada.json("history", "--interaction", "1")[0]
    assert (change["entity"], change["entity_id"], change["action"]) == ("interaction", 1, "update")
    assert "Intro call → Pricing call" in change["summary"]

    ada.ok("undo", str(change["id"]))

    call = ada.json("log", "list", "--kind", "call")[0]
    assert (call["subject"], call["duration_seconds"]) == ("Intro call", 900)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["99", "--summary", "x"], 3, "no interaction with id 99"),
        (["1", "--kind", "fax"], 2, "interaction kind"),
        (["1", "--summary", ""], 2, "give a summary"),
        (["1", "--duration", "-5m"], 2, ""),
        (["1", "--deal", "1", "--no-deal"], 2, "not both"),
        (["3", "--deal", "1"], 2, "belongs to another contact"),
    ],
)
def test_a_bad_edit_is_refused_in_one_line_and_changes_nothing(ada, args, code, says):
    before = ada.json("log", "list")

    result = ada("log", "edit", *args)

    assert result.exit_code == code, result.stderr
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert ada.json("log", "list") == before


def test_delete_removes_it_moves_last_contacted_back_and_undo_restores(ada):
    out = ada.ok("log", "delete", "1", "--yes").stderr
    assert "deleted interaction 1 (call with Ada Lovelace: Intro call)" in out
    assert ids(ada.json("log", "list")) == [3, 2]
    assert ada.json("contact", "show", "ada@example.com")["last_contacted_at"] == (
        "2026-09-01T09:00:00+00:00"
    )

    ada.ok("undo", str(ada.json("history", "--limit", "1")[0]["id"]))
    assert ids(ada.json("log", "list")) == [3, 1, 2]
    assert ada.json("contact", "show", "ada@example.com")["last_contacted_at"] == (
        "2026-10-05T10:00:00+00:00"
    )


def test_an_unknown_interaction_cannot_be_deleted(ada):
    result = ada("log", "delete", "42", "--yes")
    assert result.exit_code == 3 and "no interaction with id 42" in result.stderr


def test_undoing_a_logged_call_moves_last_contacted_back(ada):
    ada.ok("log", "call", "ada@example.com", "-s", "Late call", "--at", "2026-11-01 10:00")
    assert ada.json("contact", "show", "ada@example.com")["last_contacted_at"].startswith("2026-11")

    ada.ok("undo", str(ada.json("history", "--limit", "1")[0]["id"]))

    assert ada.json("contact", "show", "ada@example.com")["last_contacted_at"] == (
        "2026-10-05T10:00:00+00:00"
    )


def test_a_note_without_a_summary_is_named_by_its_start(ada):
    ada.ok("log", "note", "bob@example.com", "--body", "Prefers calls after four, never on Fridays")

    out = ada.ok("log", "delete", "4", "--yes").stderr

    assert "(note with Bob Stone: Prefers calls after four, never on Frid…)" in out


def test_subject_names_the_column_it_sets_as_summary_does(ada):
    ada.ok("log", "meeting", "bob@example.com", "--subject", "Kick-off", "--at", "2026-10-08 9:00")
    ada.ok("log", "edit", "3", "--subject", "Hello again")
    subjects = {row["id"]: row["subject"] for row in ada.json("log", "list")}
    assert subjects[4] == "Kick-off" and subjects[3] == "Hello again"
