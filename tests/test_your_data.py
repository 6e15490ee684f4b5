"""/account/your-data: a budget holder downloads everything held about them (UK GDPR right of
access) as a ZIP of CSV and JSON files; no table about people may be left out."""

import csv
import io
import json
import zipfile

import pytest
from sqlmodel import SQLModel, select

import marketplace.models  # noqa: F401  (every table registered)
from marketplace.account.your_data import PARTS, SECRETS
from marketplace.models import AuditLog, Budget, Person, Role, User
from tests.factories import create_user, set_up_two_step

PEOPLE_TABLES = {User.__tablename__, Person.__tablename__}


def test_every_table_pointing_at_a_person_or_an_account_is_in_the_copy():
    """A new table with a column pointing at a person or user fails here until it has its
    one entry in PARTS (marketplace/account/your_data.py)."""
    exported = {part.table.name for part in PARTS}
    pointing = {table.name for table in SQLModel.metadata.sorted_tables
                if any(fk.column.table.name in PEOPLE_TABLES for column in table.columns for fk in column.foreign_keys)}
    assert pointing - exported == set()


@pytest.fixture
def demo(runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0


def _download(client_request, session, email):
    user = session.exec(select(User).where(User.email == email)).one()
    client_request.login(user)
    page = client_request.get("/account/your-data")
    assert page.find("button", string=lambda s: s and "Download your data" in s)
    response = client_request.client.post("/account/your-data", data={})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="your-data-')
    return user, zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_sam_gets_everything_about_them_and_nothing_about_jo(client_request, session, demo):
    sam, archive = _download(client_request, session, "sam@example.org")
    names = set(archive.namelist())
    for part in PARTS:
        assert f"csv/{part.table.name}.csv" in names and f"json/{part.table.name}.json" in names
    data = {part.table.name: json.loads(archive.read(f"json/{part.table.name}.json")) for part in PARTS}
    for table in ("user", "person", "supportplan", "outcome", "budget", "ledgertransaction", "posting",
                  "carepackage", "packageline", "packageevent", "advocatelink", "caseassignment",
                  "notification", "auditlog", "review"):
        assert data[table], f"nothing from {table}"
    assert [row["email"] for row in data["user"]] == ["sam@example.org"]
    sams_person = session.exec(select(Person).where(Person.user_id == sam.id)).one()
    sams_budgets = {b.id for b in session.exec(select(Budget).where(Budget.person_id == sams_person.id))}
    assert {row["id"] for row in data["budget"]} == sams_budgets
    assert {row["budget_id"] for row in data["posting"]} <= sams_budgets
    assert {row["person_id"] for row in data["carepackage"]} == {sams_person.id}
    # The CSV says the same as the JSON.
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/budget.csv").decode())))
    assert [int(row["id"]) for row in rows] == [row["id"] for row in data["budget"]]
    assert "read-me.txt" in names


def test_the_copy_never_holds_the_secrets_that_prove_who_someone_is(client_request, session):
    sam = create_user(session, email="sam@example.org")
    set_up_two_step(session, sam)
    _user, archive = _download(client_request, session, "sam@example.org")
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    for secret in SECRETS:
        assert f'"{secret}"' not in everything
    assert sam.password_hash not in everything and sam.session_token not in everything


def test_each_download_is_in_the_audit_log(client_request, session):
    create_user(session, email="sam@example.org")
    sam, _archive = _download(client_request, session, "sam@example.org")
    entry = session.exec(select(AuditLog).where(AuditLog.action == "your_data.downloaded")).one()
    assert entry.actor_id == sam.id


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.PROVIDER, Role.PROFESSIONAL, Role.COMMISSIONER])
def test_only_budget_holders_download_it_here(client_request, session, role):
    client_request.login(create_user(session, role=role))
    client_request.get("/account/your-data", expected_status=403)


def test_the_account_page_links_to_it_for_a_budget_holder(client_request, session):
    client_request.login(create_user(session))
    assert client_request.get("/account").find("a", href="/account/your-data")
