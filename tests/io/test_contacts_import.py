"""Importing contacts from what other tools really export: mapping, duplicates, rejects, atomicity."""

import csv
from io import BytesIO
from pathlib import Path

import pytest

from crmtui.core.contacts import get_contact, update_contact
from crmtui.core.errors import Conflict, Invalid
from crmtui.core.schemas import ContactInput
from crmtui.io.batches import undo_batch
from crmtui.io.imports import ImportRequest, run_import

DATA = Path(__file__).parent.parent / "data" / "import"


def test_google_current_export(importer):
    result = importer(DATA / "google.csv")

    assert (result.preset, result.rows, result.inserted, result.rejected) == ("google", 3, 3, 0)
    ada = importer.by_email("ada@example.com")
    assert ada["emails"] == ["ada@example.com", "ada.lovelace@example.org", "ada@home.example"]
    assert ada["phones"] == ["+44 20 7946 0000", "+44 20 7946 0001"]
    assert ada["tags"] == ["Friends", "VIP"]  # the "* myContacts" system group is not a tag
    assert ada["birthday"] == "1815-12-10"
    assert ada["notes"] == "Met at the Royal Society.\nLikes poetry, maths."
    assert (ada["job_title"], ada["city"], ada["website"]) == (
        "Analyst", "London", "https://ada.example",
    )  # fmt: skip
    zoe = importer.by_email("zoe@example.com")
    assert zoe["name"] == "Zoë Núñez"
    assert zoe["birthday"] == "--04-12"
    # "analytical engines" links to the company Ada's row created instead of making a second one
    assert zoe["company"] == "Analytical Engines"
    assert importer.count("company") == 2
    grace = importer.by_email("grace@navy.example")
    assert grace["name"] == "Grace Brewster Hopper"
    assert grace["tags"] == []


def test_google_legacy_export_in_utf16(importer):
    result = importer(DATA / "google_legacy.csv")

    assert (result.preset, result.inserted) == ("google-legacy", 2)
    alan = importer.by_email("alan@bletchley.example")
    assert alan["emails"] == ["alan@bletchley.example", "turing@example.org"]
    assert (alan["company"], alan["job_title"], alan["tags"]) == (
        "Bletchley Park", "Cryptanalyst", ["Codebreakers"],
    )  # fmt: skip
    assert importer.by_email("joan@bletchley.example")["birthday"] == "--06-24"
    assert importer.count("company") == 1


def test_outlook_export_in_windows_1252(importer):
    result = importer(DATA / "outlook.csv")

    assert (result.preset, result.inserted, result.rejected) == ("outlook", 2, 0)
    rene = importer.by_email("rene@example.fr")
    assert rene["name"] == "René Descartes"
    assert rene["birthday"] == "1596-03-31"
    assert rene["notes"] == "Cogito.\nErgo sum – «philosophe»"
    assert rene["tags"] == ["Newsletter", "VIP"]
    assert rene["phones"] == ["+33 6 12 34 56 78", "+33 1 23 45 67 89"]
    assert (rene["city"], rene["country"]) == ("Paris", "France")
    blaise = importer.by_email("blaise@example.fr")
    assert blaise["birthday"] is None  # Outlook writes 0/0/00 for "no birthday"
    assert blaise["company"] == "Académie"
    assert importer.count("company") == 1


def test_hubspot_stages_and_opt_outs(importer):
    result = importer(DATA / "hubspot.csv")

    assert (result.preset, result.inserted) == ("hubspot", 3)
    katherine = importer.by_email("katherine@nasa.example")
    assert katherine["lifecycle_stage"] == "marketing_qualified"
    # "false" in an opt-out column means "did not opt out", never "consented"
    assert katherine["email_consent"] == "unknown"
    assert katherine["custom_fields"] == {"hubspot_id": "1501", "lead_status": "OPEN"}
    dorothy = importer.by_email("dorothy@nasa.example")
    assert (dorothy["lifecycle_stage"], dorothy["email_consent"]) == ("customer", "unsubscribed")
    assert importer.by_email("mary@nasa.example")["lifecycle_stage"] == "sales_qualified"
    assert importer.count("company") == 1


def test_pipedrive_multi_value_cells(importer):
    result = importer(DATA / "pipedrive.csv")

    assert (result.preset, result.inserted) == ("pipedrive", 2)
    hedy = importer.by_email("hedy@mgm.example")
    assert hedy["emails"] == ["hedy@mgm.example", "hedy.lamarr@example.org"]
    assert hedy["phones"] == ["555-0100", "555-0199"]
    assert hedy["tags"] == ["Hot lead", "Inventor"]
    assert hedy["company"] == "MGM"


def test_excel_semicolons_in_windows_1252(importer):
    result = importer(DATA / "excel_semicolon.csv")

    assert (result.preset, result.inserted) == ("plain", 2)
    francois = importer.by_email("francois@example.fr")
    assert francois["name"] == "François Arago"
    assert francois["tags"] == ["astronomy", "physics"]
    assert importer.by_email("emilie@example.fr")["name"] == "Émilie du Châtelet"


def test_vcards_version_3_and_4(importer):
    result = importer(DATA / "contacts.vcf")

    assert (result.preset, result.inserted) == ("vcard", 2)
    rosalind = importer.by_email("rosalind@kcl.example")
    assert rosalind["emails"][0] == "rosalind@home.example"  # the preferred one is primary
    assert (rosalind["company"], rosalind["job_title"]) == (
        "King's College London",
        "Crystallographer",
    )
    assert rosalind["tags"] == ["Scientists", "VIP"]
    assert rosalind["notes"] == "Photo 51.\nDNA structure."
    assert (rosalind["street"], rosalind["postal_code"]) == ("Strand", "WC2R 2LS")
    marie = importer.by_email("marie@radium.example")
    assert marie["birthday"] == "--11-07"
    assert marie["phones"] == ["+33-1-44-27-00-00"]


def test_bad_rows_are_rejected_with_line_numbers_and_reasons(importer, tmp_path):
    rejects = tmp_path / "rejects.csv"

    result = importer(DATA / "bad.csv", rejects_path=str(rejects))

    assert (result.rows, result.inserted, result.rejected) == (8, 2, 6)
    assert result.inserted + result.updated + result.unchanged + result.rejected == result.rows
    with rejects.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [
        "crm_line",
        "crm_error",
        "name",
        "email",
        "phone",
        "birthday",
        "unsubscribed",
    ]
    reasons = {int(row[0]): row[1] for row in rows[1:]}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8]
    assert "invalid email" in reasons[3]
    assert reasons[4] == "no name and no email"
    assert "6 fields" in reasons[5] and "2 fields" in reasons[6]
    assert "invalid date" in reasons[7]
    assert "opt-out" in reasons[8]
    assert importer.by_email("second@example.com")["email_consent"] == "unsubscribed"


def test_a_fixed_rejects_file_imports_again(importer, tmp_path):
    rejects = tmp_path / "rejects.csv"
    importer(DATA / "bad.csv", rejects_path=str(rejects))
    fixed = rejects.read_text().replace("not-an-email", "bad@example.com")

    fixed_path = tmp_path / "fixed.csv"
    fixed_path.write_text(fixed)
    result = importer(fixed_path)

    assert result.inserted == 1
    assert result.ignored_columns == []  # crm_line and crm_error are not reported as unknown
    assert importer.by_email("bad@example.com")["name"] == "Bad Email"


@pytest.mark.parametrize("name", ["google.csv", "outlook.csv", "hubspot.csv", "contacts.vcf"])
@pytest.mark.parametrize("mode", ["skip", "update", "merge"])
def test_importing_the_same_file_twice_changes_nothing(importer, name, mode):
    first = importer(DATA / name)
    before = importer.contacts()

    second = importer(DATA / name, on_duplicate=mode)

    assert (second.inserted, second.updated, second.rejected) == (0, 0, 0)
    assert second.unchanged == first.inserted
    assert importer.contacts() == before


def test_duplicates_inside_a_file_match_emails_case_insensitively(importer, tmp_path):
    path = tmp_path / "dupes.csv"
    path.write_text(
        "name,email,phone\nAda Lovelace,ada@example.com,\nAda L.,ADA@Example.com,555-0100\n"
    )

    result = importer(path, on_duplicate="merge")

    assert (result.inserted, result.updated) == (1, 1)
    ada = importer.by_email("ada@example.com")
    assert (ada["name"], ada["phones"]) == ("Ada Lovelace", ["555-0100"])


def test_update_overwrites_and_merge_fills_blanks(importer, tmp_path):
    (tmp_path / "a.csv").write_text("name,email,city\nAda,ada@example.com,London\n")
    (tmp_path / "b.csv").write_text(
        "name,email,city,job title,tags\nAda King,ada@example.com,Paris,Countess,vip\n"
    )
    importer(tmp_path / "a.csv")

    merged = importer(tmp_path / "b.csv", on_duplicate="merge")
    ada = importer.by_email("ada@example.com")
    assert merged.updated == 1
    assert (ada["name"], ada["city"], ada["job_title"], ada["tags"]) == (
        "Ada", "London", "Countess", ["vip"],
    )  # fmt: skip

    updated = importer(tmp_path / "b.csv", on_duplicate="update")
    ada = importer.by_email("ada@example.com")
    assert updated.updated == 1
    assert (ada["name"], ada["first_name"], ada["last_name"], ada["city"]) == (
        "Ada King", "Ada", "King", "Paris",
    )  # fmt: skip


def test_a_re_import_adds_only_the_phones_and_emails_a_contact_lacks(importer, tmp_path):
    (tmp_path / "a.csv").write_text(
        "name,email,phone\nAda,ada@example.com,+1 555 0100 ::: +1 555 0101\n"
        "Bob,bob@example.com,+1 555 0200\nCy,cy@example.com,+1 555 0300\n"
    )
    (tmp_path / "b.csv").write_text(
        "name,email,phone\n"
        "Ada,ada@example.com,+1 555 0101\n"  # her second number: nothing new
        "Bob,bob@example.com,+1 555 0299\n"  # another number: added after his own
        "Cy,cy@example.com ::: cy@work.example,+15550300\n"  # her number as digits, a new email
    )
    importer(tmp_path / "a.csv")

    result = importer(tmp_path / "b.csv", on_duplicate="update")

    assert (result.updated, result.unchanged) == (2, 1)
    assert importer.by_email("ada@example.com")["phones"] == ["+1 555 0100", "+1 555 0101"]
    assert importer.by_email("bob@example.com")["phones"] == ["+1 555 0200", "+1 555 0299"]
    cy = importer.by_email("cy@example.com")
    assert (cy["emails"], cy["phones"]) == (["cy@example.com", "cy@work.example"], ["+1 555 0300"])


def test_an_opt_out_is_kept_and_never_turned_into_consent(importer, tmp_path):
    (tmp_path / "out.csv").write_text("email,unsubscribed\nada@example.com,yes\n")
    (tmp_path / "in.csv").write_text("email,email consent\nada@example.com,subscribed\n")
    importer(tmp_path / "out.csv")

    result = importer(tmp_path / "in.csv", on_duplicate="update")

    assert result.unchanged == 1
    assert importer.by_email("ada@example.com")["email_consent"] == "unsubscribed"


def test_match_on_phone_and_on_an_external_id(importer, tmp_path):
    importer(DATA / "hubspot.csv")
    (tmp_path / "phones.csv").write_text("name,phone,city\nKatherine J,+1 (757) 555-0100,Hampton\n")
    (tmp_path / "ids.csv").write_text("Record ID,City\n1502,Hampton\n")

    by_phone = importer(tmp_path / "phones.csv", match=("phone",), on_duplicate="merge")
    by_id = importer(
        tmp_path / "ids.csv", preset="hubspot", match=("hubspot_id",), on_duplicate="merge"
    )

    assert (by_phone.inserted, by_phone.updated) == (0, 1)
    assert importer.by_email("katherine@nasa.example")["city"] == "Hampton"
    assert (by_id.inserted, by_id.updated) == (0, 1)
    assert importer.by_email("dorothy@nasa.example")["city"] == "Hampton"


def test_rows_without_email_match_existing_contacts_by_name(importer, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,phone\nJohn Smith,555-0100\nJohn Smith,555-0199\n")

    first = importer(path)
    second = importer(path)

    # Two people may share a name, so one file adds both; importing it again adds nobody.
    assert (first.inserted, second.inserted, second.unchanged) == (2, 0, 2)


def test_mapping_keep_unknown_and_ignored_columns(importer, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Who,Mail,Shoe size,Favourite colour\nAda,ada@example.com,38,green\n")

    ignored = importer(path, mapping={"Who": "name", "Mail": "email"})
    assert ignored.ignored_columns == ["Shoe size", "Favourite colour"]

    kept = importer(path, mapping={"Who": "name"}, keep_unknown=True, on_duplicate="merge")
    ada = importer.by_email("ada@example.com")
    assert kept.ignored_columns == []
    assert ada["custom_fields"] == {"Shoe size": "38", "Favourite colour": "green"}


def test_mapping_a_column_the_file_lacks_is_refused_before_any_row(importer, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Who,E-mail\nAda,ada@example.com\n")

    with pytest.raises(Invalid, match=r"no column 'Email' \(Who, E-mail\)"):
        importer(path, mapping={"Who": "name", "Email": "email"})
    assert importer.contacts() == []


def test_a_field_longer_than_the_csv_module_default(importer, tmp_path):
    notes = "x" * 300_000
    path = tmp_path / "long.csv"
    path.write_text(f'name,email,notes\nAda,ada@example.com,"{notes}"\n')

    importer(path)

    assert importer.by_email("ada@example.com")["notes"] == notes


def test_encoding_and_delimiter_can_be_forced(importer, tmp_path):
    path = tmp_path / "tabs.txt"
    path.write_bytes("name\temail\nJos\xe9\tjose@example.com\n".encode("latin-1"))

    importer(path, encoding="latin-1", delimiter="\\t")

    assert importer.by_email("jose@example.com")["name"] == "José"


def test_unknown_preset_is_bad_usage(importer):
    with pytest.raises(Invalid, match="unknown preset"):
        importer(DATA / "google.csv", preset="myspace")


def test_dry_run_reports_the_same_counts_and_writes_nothing(importer):
    dry = importer(DATA / "google.csv", dry_run=True)

    assert (dry.batch, dry.inserted, dry.rows) == (None, 3, 3)
    for table in ("contact", "company", "import_batch", "change", "contact_email", "tag"):
        assert importer.count(table) == 0, table


def test_undo_removes_inserts_and_restores_updates(importer, tmp_path, db):
    first = importer(DATA / "google.csv")
    (tmp_path / "more.csv").write_text(
        "name,email,city,phone,tags,company\n"
        "Ada King,ada@example.com,Paris,555-0100,poet,New Co\n"
        "Newcomer,new@example.com,,,,\n"
    )
    before = importer.contacts()
    second = importer(tmp_path / "more.csv", on_duplicate="update")
    assert (second.inserted, second.updated) == (1, 1)

    with db.transaction(username="sam") as session:
        counts = undo_batch(session, second.batch)

    assert counts == {"deleted": 2, "restored": 1}  # the contact and the company "New Co"
    assert importer.contacts() == before
    with db.transaction(username="sam") as session:
        undo_batch(session, first.batch)
    assert importer.contacts() == []
    assert importer.count("company") == 0


def test_undo_is_refused_when_a_record_changed_after_the_import(importer, db):
    result = importer(DATA / "google.csv")
    with db.transaction(username="sam") as session:
        ada = get_contact(session, "ada@example.com")
        update_contact(session, ada, ContactInput(job_title="Countess"))
    before = importer.contacts()

    with pytest.raises(Conflict, match="changed after"), db.transaction() as session:
        undo_batch(session, result.batch)

    assert importer.contacts() == before
    with db.transaction() as session, pytest.raises(Conflict, match="already undone|changed"):
        undo_batch(session, result.batch)


def test_a_failure_midway_leaves_the_database_as_it_was(
    ctrl_c_on_second_batch, importer, tmp_path, monkeypatch
):
    importer(DATA / "hubspot.csv")
    path = tmp_path / "many.csv"
    path.write_text(
        "name,email,company\n"
        + "".join(f"Person {i},p{i}@example.com,Company {i % 7}\n" for i in range(6000))
    )
    before = {t: importer.count(t) for t in ("contact", "company", "import_batch", "change")}
    calls = ctrl_c_on_second_batch()

    with pytest.raises(KeyboardInterrupt):
        importer(path)

    assert calls == [2000, 2000]
    assert {t: importer.count(t) for t in before} == before


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_progress_hears_when_all_of_stdin_is_read(db, kind):
    data = ("name,email\n" + "".join(f"P {n},p{n}@example.com\n" for n in range(2500))).encode()
    calls = []

    def progress(done: int, total: int | None, rows: int) -> None:
        calls.append((done, total, rows))

    run_import(kind, db, ImportRequest(path="-"), username="sam", stdin=BytesIO(data),
               progress=progress)  # fmt: skip

    # the size of stdin is known once it is read, before the last rows are written
    assert calls[-1] == (len(data), len(data), 2500)
    assert [total for _, total, _ in calls[:-1]] == [None] * (len(calls) - 1) != []
