"""Getting a visitor's session ready: sign in through the real form (CSRF token and all),
then send the visitor's set-up forms. Works over HTTP against gunicorn and in-process
against the Flask test client, so both passes see the same session."""

import http.client
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from bench.pages import DEMO_ACCOUNTS, Visitor
from marketplace.demo_data import DEMO_PASSWORD

USER_AGENT = "care-budget-bench/1"
# The app runs behind a proxy that ends TLS; the clients say what that proxy would say.
PROXY_HEADERS = {"User-Agent": USER_AGENT, "X-Forwarded-Proto": "https"}


class VisitorNotReady(RuntimeError):
    pass


class CsrfTokenFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name") == "csrf_token" and self.token is None:
            self.token = attributes.get("value")


def csrf_token(page: str) -> str:
    finder = CsrfTokenFinder()
    finder.feed(page)
    if not finder.token:
        raise VisitorNotReady("the page has no form with a CSRF token")
    return finder.token


def _local(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class HttpBrowser:
    """Keeps cookies for one visitor talking HTTP to 127.0.0.1:port."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str | None:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items()) or None

    def _send(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {**PROXY_HEADERS, **(headers or {})}
        if cookie := self.cookie_header():
            all_headers["Cookie"] = cookie
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({name: morsel.value for name, morsel in cookie.items()})
        connection.close()
        return response.status, text, response.getheader("Location")

    def get(self, path: str):
        return self._send("GET", path)

    def post(self, path: str, fields: dict, *, from_page: str):
        return self._send("POST", path, body=urlencode(fields), headers={
            "Content-Type": "application/x-www-form-urlencoded",
            # Over HTTPS, CSRF protection also checks the form came from this site.
            "Referer": f"https://127.0.0.1:{self.port}{from_page}",
        })


# Production cookies are Secure and CSRF checks the referrer over HTTPS, so the test client
# speaks HTTPS like the proxy in front of the app would.
TEST_SITE = "https://localhost"


class TestClientBrowser:
    """The same, in-process, through the Flask test client."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path: str):
        response = self.client.get(path, base_url=TEST_SITE)
        return response.status_code, response.get_data(as_text=True), response.headers.get("Location")

    def post(self, path: str, fields: dict, *, from_page: str):
        response = self.client.post(path, base_url=TEST_SITE, data=fields,
                                    headers={"Referer": f"{TEST_SITE}{from_page}"})
        return response.status_code, response.get_data(as_text=True), response.headers.get("Location")


def _send_form(browser, form_page: str, action: str, fields: dict) -> str:
    status, page, _ = browser.get(form_page)
    if status != 200:
        raise VisitorNotReady(f"{form_page} answered {status}")
    status, _, location = browser.post(action, {**fields, "csrf_token": csrf_token(page)},
                                       from_page=form_page)
    if status not in (302, 303) or not location:
        raise VisitorNotReady(f"posting to {action} answered {status}")
    # Follow the redirect once, as a browser would: it shows (and so clears) any message.
    browser.get(_local(location))
    return _local(location)


def _second_step(browser) -> str:
    """Staff give the demo authenticator's code (the README's key)."""
    from marketplace.auth.demo import demo_codes

    for code in demo_codes():
        status, page, _ = browser.get("/sign-in/two-step")
        status, _, location = browser.post("/sign-in/two-step", {"code": code, "csrf_token": csrf_token(page)},
                                           from_page="/sign-in/two-step")
        if status in (302, 303) and location:
            browser.get(_local(location))
            return _local(location)
    return "/sign-in"


def prepare(browser, visitor: Visitor, values: dict) -> None:
    """Sign the visitor in (each sign-in ends the account's earlier session, so do this once
    per server and share the cookie) and send their set-up forms."""
    if visitor.role is not None:
        email = DEMO_ACCOUNTS[visitor.role]
        landed = _send_form(browser, "/sign-in", "/sign-in",
                            {"email": email, "password": DEMO_PASSWORD})
        if landed == "/sign-in/two-step":
            landed = _second_step(browser)
        if landed.startswith("/sign-in"):
            raise VisitorNotReady(f"signing in as {email} was refused")
    for form_page, action, fields in visitor.forms:
        _send_form(browser, form_page.format(**values), action.format(**values),
                   {name: value.format(**values) for name, value in fields.items()})
