"""Opening import input: what is not CSV is refused before anything is written."""

import pytest


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
@pytest.mark.parametrize("entity", ["contacts", "companies", "deals"])
def test_an_export_in_json_piped_back_is_refused_with_the_reason(crm, fmt, entity):
    crm.ok("contact", "add", "Ada", "--email", "ada@example.com", "--company", "Engines")
    crm.ok("deal", "add", "Engine v2", "--contact", "ada@example.com")
    exported = crm.ok("export", entity, "-f", fmt).stdout

    result = crm("import", entity, "-", input=exported)

    assert result.exit_code == 2
    assert "JSON" in result.stderr and "csv" in result.stderr
    assert crm.ok("import", "history", "-f", "json").stdout.strip() == "[]"


def test_a_row_of_one_field_says_field(crm):
    result = crm("import", "companies", "-", "-v", input="name,domain\nAcme\n")

    assert "has 1 field, the header has 2" in result.stderr
