"""client_request: sign in as someone, make a request, assert the status, get parsed HTML."""

from collections import Counter

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from sqlmodel import Session

from marketplace.auth import sessions, two_step
from marketplace.models import User
from tests.factories import set_up_two_step


class ClientRequest:
    def __init__(self, client: FlaskClient, session: Session):
        self.client = client
        self.session = session
        self.user: User | None = None

    def login(self, user: User) -> User:
        """Sign in without the password form (tests of the form itself use it directly). Staff
        must use two-step sign-in: theirs is set up first, through the service, as they would."""
        if two_step.required_for(user) and not two_step.is_set_up(self.session, user):
            set_up_two_step(self.session, user)
        with self.client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True
            flask_session[sessions.SIGNED_IN_AT] = flask_session[sessions.LAST_SEEN_AT] = sessions.now()
        self.user = user
        return user

    def logout(self) -> None:
        with self.client.session_transaction() as flask_session:
            flask_session.clear()
        self.user = None

    def get(self, url: str, *, expected_status: int = 200, **query) -> BeautifulSoup:
        response = self.client.get(url, query_string=query or None)
        return self._check(response, expected_status)

    def get_response(self, url: str, *, expected_status: int = 200, **query):
        # Buffered: a streamed response is read to the end and closed, as a browser would, so the
        # request's database session is finished before the test reads the database.
        response = self.client.get(url, query_string=query or None, buffered=True)
        assert response.status_code == expected_status, _explain(response, expected_status)
        return response

    def post(self, url: str, data: dict | None = None, *, expected_status: int = 302,
             expected_redirect: str | None = None) -> BeautifulSoup:
        response = self.client.post(url, data=data or {})
        page = self._check(response, expected_status)
        if expected_redirect is not None:
            assert response.location == expected_redirect, f"redirected to {response.location}"
        return page

    def _check(self, response, expected_status: int) -> BeautifulSoup:
        assert response.status_code == expected_status, _explain(response, expected_status)
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        repeated = repeated_ids(page)
        assert not repeated, f"{response.request.path} uses these ids more than once: {repeated}"
        return page


def repeated_ids(page: BeautifulSoup) -> list[str]:
    """Ids used by more than one element: a label, hint or error could point at the wrong one."""
    uses = Counter(element["id"] for element in page.find_all(id=True))
    return [element_id for element_id, count in uses.items() if count > 1]


def _explain(response, expected_status: int) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    heading = page.h1.get_text(" ", strip=True) if page.h1 else response.get_data(as_text=True)[:300]
    where = f" -> {response.location}" if response.location else ""
    return f"expected {expected_status}, got {response.status_code}{where}: {heading}"


def error_messages(page: BeautifulSoup) -> list[str]:
    """The messages in the error summary, as a user reads them."""
    summary = page.select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [item.get_text(" ", strip=True) for item in summary.select("li")]


def field_error(page: BeautifulSoup, field_id: str) -> str | None:
    """The error message shown next to one field."""
    message = page.select_one(f"#{field_id}-error")
    return message.get_text(" ", strip=True).removeprefix("Error:").strip() if message else None


def normalised_text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split()) if element is not None else ""


def date_input(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """What a GOV.UK date input sends: one box each for day, month and year."""
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
