"""The reports' light table views name real columns of the models, with the same time type."""

import subprocess
import sys

import pytest
from sqlmodel import SQLModel

import crmtui.core.models  # noqa: F401  (fills SQLModel.metadata)
from crmtui.core.types import UTCDateTime
from crmtui.reports.tables import TABLES

# nothing here touches a database
pytestmark = pytest.mark.sqlite_only


def test_every_column_a_report_reads_is_a_column_of_the_models():
    for view in TABLES:
        model = SQLModel.metadata.tables[view.name]
        for col in view.columns:
            assert col.name in model.c, f"{view.name}.{col.name}"
            assert isinstance(col.type, UTCDateTime) == isinstance(
                model.c[col.name].type, UTCDateTime
            ), f"{view.name}.{col.name}"


def test_the_monthly_report_imports_neither_the_orm_nor_the_models():
    code = (
        "import sys, crmtui.reports.monthly; "
        "print(sorted({'crmtui.core.models', 'sqlalchemy.orm', 'sqlmodel'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)

    assert result.stdout.strip() == "[]", result.stderr
