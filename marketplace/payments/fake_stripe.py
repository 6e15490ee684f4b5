"""A small, stateful stand-in for the parts of the Stripe API this service uses.

The tests serve it on 127.0.0.1 and point the real `stripe` client at it (base_addresses), so
the whole payment path runs without the network; `flask payments fake-stripe` serves it by hand
for trying the service out. It keeps accounts (v2), account links, transfers (with idempotency
keys and list pagination) and Checkout sessions, and can be told to misbehave on the next
matching request (`inject`): a 500, a lost response, a 402 or a slow answer.

v1 requests are form-encoded (`metadata[budget_id]=3`), v2 requests JSON, as Stripe's own.
Pages under /_fake/ stand in for Stripe's hosted onboarding and Checkout pages; when given a
webhook address and secret, they send signed events there, as Stripe would.
"""

import html
import itertools
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import stripe

from marketplace.money import format_money

FAULTS = ("server_error", "lost_response", "declined", "slow")


@dataclass
class Fault:
    method: str
    path: str
    kind: str
    seconds: float = 0.0


@dataclass
class FakeStripeState:
    accounts: dict[str, dict] = field(default_factory=dict)
    transfers: list[dict] = field(default_factory=list)
    checkout_sessions: dict[str, dict] = field(default_factory=dict)
    # Idempotency-Key -> (status, body) of the first answer, replayed for a retry.
    answers: dict[str, tuple[int, dict]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)


def parse_form(body: str) -> dict:
    """`a[b][0]=x&c=y` → {"a": {"b": {"0": "x"}}, "c": "y"} (Stripe's v1 encoding)."""
    result: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


class FakeStripe:
    """The server and its state. `with FakeStripe() as fake:` serves on a free port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, webhook_url: str = "",
                 webhook_secret: str = "", onboarding_result: str = "ready"):
        self.state = FakeStripeState()
        self.lock = threading.RLock()
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.onboarding_result = onboarding_result
        # Called with (method, path) as each API request arrives: tests use it to check that
        # the caller holds no database lock while it waits for Stripe.
        self.on_request = None
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer((host, port), _handler_for(self))
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeStripe":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- what tests and the hosted pages use -------------------------------------------------

    def inject(self, method: str, path: str, kind: str, *, seconds: float = 0.0) -> None:
        """Make the next `method path` request misbehave once: server_error (500, nothing done),
        lost_response (done, then the connection closes unanswered), declined (402, nothing done)
        or slow (done, answered after `seconds`)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.state.faults.append(Fault(method.upper(), path, kind, seconds))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def set_account_status(self, account_id: str, status: str) -> dict:
        """status: details_needed, in_review or ready (what Stripe would decide)."""
        with self.lock:
            account = self.state.accounts[account_id]
            transfers = account["configuration"]["recipient"]["capabilities"]["stripe_balance"]["stripe_transfers"]
            transfers["status"] = {"ready": "active", "in_review": "pending"}.get(status, "restricted")
            account["requirements"]["entries"] = [] if status != "details_needed" else [_bank_details_needed()]
            return json.loads(json.dumps(account))

    def add_transfer(self, *, amount: int, destination: str, created: int | None = None,
                     metadata: dict | None = None) -> dict:
        """A transfer made some other way (for reconciliation tests: one nobody recorded)."""
        with self.lock:
            transfer = self._transfer(amount=amount, destination=destination, metadata=metadata or {},
                                      description="", created=created)
            return transfer

    def complete_checkout(self, session_id: str) -> dict:
        with self.lock:
            checkout = self.state.checkout_sessions[session_id]
            checkout.update(status="complete", payment_status="paid")
            return json.loads(json.dumps(checkout))

    def checkout_completed_event(self, session_id: str, *, event_id: str | None = None) -> dict:
        """A v1 snapshot event, as Stripe sends for a paid Checkout session."""
        with self.lock:
            return {"id": event_id or self.new_id("evt"), "object": "event", "api_version": None,
                    "type": "checkout.session.completed", "created": int(time.time()), "livemode": False,
                    "data": {"object": json.loads(json.dumps(self.state.checkout_sessions[session_id]))}}

    def account_event(self, account_id: str, *, event_id: str | None = None,
                      event_type: str = "v2.core.account[configuration.recipient].capability_status_updated") -> dict:
        """A v2 thin event about an account: only its id, so the receiver must read the account."""
        return {"id": event_id or self.new_id("evt"), "object": "v2.core.event", "type": event_type,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "livemode": False,
                "data": {"updated_capability": "stripe_balance.stripe_transfers"},
                "related_object": {"id": account_id, "type": "v2.core.account",
                                   "url": f"/v2/core/accounts/{account_id}"}}

    def send_event(self, event: dict) -> int:
        """Deliver a signed event to the configured webhook address; returns the status."""
        payload = json.dumps(event)
        request = urllib.request.Request(self.webhook_url, data=payload.encode(), method="POST", headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, self.webhook_secret),
        })
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    # --- the API ----------------------------------------------------------------------------

    def _transfer(self, *, amount: int, destination: str, metadata: dict, description: str,
                  created: int | None = None) -> dict:
        transfer = {"id": self.new_id("tr"), "object": "transfer", "amount": amount, "currency": "gbp",
                    "destination": destination, "metadata": metadata, "description": description,
                    "created": created or int(time.time()), "livemode": False, "reversed": False}
        self.state.transfers.append(transfer)
        return transfer

    def handle(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict]:
        routes = [
            ("POST", r"/v2/core/accounts", self._create_account),
            ("GET", r"/v2/core/accounts/(?P<id>[^/]+)", self._get_account),
            ("POST", r"/v2/core/account_links", self._create_account_link),
            ("POST", r"/v1/transfers", self._create_transfer),
            ("GET", r"/v1/transfers", self._list_transfers),
            ("GET", r"/v1/transfers/(?P<id>[^/]+)", self._get_transfer),
            ("POST", r"/v1/checkout/sessions", self._create_checkout_session),
            ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", self._get_checkout_session),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(query=query, body=body, **match.groupdict())
        return _error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _create_account(self, *, body, query):
        recipient = body.get("configuration", {}).get("recipient", {})
        requested = recipient.get("capabilities", {}).get("stripe_balance", {}).get("stripe_transfers", {})
        if not requested.get("requested"):
            return _error(400, "invalid_request_error", "Request the stripe_transfers capability.")
        account = {
            "id": self.new_id("acct"), "object": "v2.core.account", "livemode": False,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "display_name": body.get("display_name"), "contact_email": body.get("contact_email"),
            "dashboard": body.get("dashboard"), "identity": body.get("identity", {}),
            "defaults": body.get("defaults", {}), "metadata": body.get("metadata", {}),
            "configuration": {"recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {
                "status": "restricted", "status_details": []}}}}},
            "requirements": {"entries": [_bank_details_needed()], "summary": None},
        }
        self.state.accounts[account["id"]] = account
        return 200, account

    def _get_account(self, *, id, body, query):
        if id not in self.state.accounts:
            return _error(404, "invalid_request_error", f"No such account: {id}")
        return 200, self.state.accounts[id]

    def _create_account_link(self, *, body, query):
        account_id = body.get("account")
        if account_id not in self.state.accounts:
            return _error(400, "invalid_request_error", f"No such account: {account_id}")
        onboarding = body.get("use_case", {}).get("account_onboarding", {})
        url = f"{self.url}/_fake/onboard/{account_id}?" + urlencode({"return_url": onboarding.get("return_url", "")})
        return 200, {"object": "v2.core.account_link", "account": account_id, "url": url,
                     "livemode": False, "use_case": body.get("use_case"),
                     "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                     "expires_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 300))}

    def _create_transfer(self, *, body, query):
        try:
            amount = int(body.get("amount", ""))
        except ValueError:
            return _error(400, "invalid_request_error", "Invalid integer: amount")
        destination = body.get("destination", "")
        if destination not in self.state.accounts:
            return _error(400, "invalid_request_error", f"No such destination: '{destination}'")
        return 200, self._transfer(amount=amount, destination=destination,
                                   metadata=body.get("metadata", {}), description=body.get("description", ""))

    def _list_transfers(self, *, body, query):
        """Newest first, `limit` at a time, `starting_after` an id, `created[gte|lte]` in seconds."""
        created = parse_form(urlencode(query)).get("created", {})
        rows = sorted(self.state.transfers, key=lambda t: (t["created"], t["id"]), reverse=True)
        if "gte" in created:
            rows = [t for t in rows if t["created"] >= int(created["gte"])]
        if "lte" in created:
            rows = [t for t in rows if t["created"] <= int(created["lte"])]
        if "starting_after" in query:
            ids = [t["id"] for t in rows]
            rows = rows[ids.index(query["starting_after"]) + 1:] if query["starting_after"] in ids else []
        limit = int(query.get("limit", 10))
        return 200, {"object": "list", "url": "/v1/transfers", "has_more": len(rows) > limit,
                     "data": rows[:limit]}

    def _get_transfer(self, *, id, body, query):
        for transfer in self.state.transfers:
            if transfer["id"] == id:
                return 200, transfer
        return _error(404, "invalid_request_error", f"No such transfer: '{id}'")

    def _create_checkout_session(self, *, body, query):
        line = body.get("line_items", {}).get("0", {})
        price = line.get("price_data", {})
        session_id = self.new_id("cs_test")
        checkout = {
            "id": session_id, "object": "checkout.session", "mode": body.get("mode"),
            "status": "open", "payment_status": "unpaid", "currency": price.get("currency"),
            "amount_total": int(price.get("unit_amount", 0)) * int(line.get("quantity", 1)),
            "metadata": body.get("metadata", {}), "client_reference_id": body.get("client_reference_id"),
            "success_url": body.get("success_url"), "cancel_url": body.get("cancel_url"),
            "url": f"{self.url}/_fake/checkout/{session_id}", "livemode": False,
        }
        self.state.checkout_sessions[session_id] = checkout
        return 200, checkout

    def _get_checkout_session(self, *, id, body, query):
        if id not in self.state.checkout_sessions:
            return _error(404, "invalid_request_error", f"No such checkout.session: '{id}'")
        return 200, self.state.checkout_sessions[id]


def _bank_details_needed() -> dict:
    return {"awaiting_action_from": "user", "description": "bank_account", "errors": [],
            "minimum_deadline": {"status": "currently_due"}, "requested_reasons": []}


def _error(status: int, kind: str, message: str, code: str | None = None) -> tuple[int, dict]:
    return status, {"error": {"type": kind, "message": message, **({"code": code} if code else {})}}


def _handler_for(fake: FakeStripe):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args):  # quiet: tests read state, not logs
            pass

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if parts.path.startswith("/_fake/"):
                return self._hosted_page(method, parts.path, dict(parse_qsl(parts.query)), raw)
            if self.headers.get("Content-Type", "").startswith("application/json"):
                body = json.loads(raw or "{}")
            else:
                body = parse_form(raw)
            query = dict(parse_qsl(parts.query))
            key = self.headers.get("Idempotency-Key") if method == "POST" else None
            if fake.on_request is not None:
                fake.on_request(method, parts.path)
            with fake.lock:
                fake.state.requests.append((method, parts.path))
                fault = next((f for f in fake.state.faults
                              if f.method == method and f.path == parts.path), None)
                if fault is not None:
                    fake.state.faults.remove(fault)
                if fault is not None and fault.kind == "server_error":
                    status, answer = _error(500, "api_error", "Something went wrong on Stripe's end.")
                elif fault is not None and fault.kind == "declined":
                    status, answer = _error(402, "invalid_request_error",
                                            "Your account has insufficient funds to make this transfer.",
                                            code="balance_insufficient")
                elif key and key in fake.state.answers:
                    status, answer = fake.state.answers[key]
                else:
                    status, answer = fake.handle(method, parts.path, query, body)
                    if key and status < 500:
                        fake.state.answers[key] = (status, answer)
                answer = json.loads(json.dumps(answer))
            if fault is not None and fault.kind == "lost_response":
                self.close_connection = True
                return  # the work is done, but the caller never hears
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.seconds)
            self._send(status, json.dumps(answer), "application/json",
                       {"Idempotency-Key": key} if key else {})

        def _hosted_page(self, method: str, path: str, query: dict, raw: str) -> None:
            onboard = re.fullmatch(r"/_fake/onboard/([^/]+)", path)
            if onboard:
                fake.set_account_status(onboard.group(1), fake.onboarding_result)
                if fake.webhook_url:
                    fake.send_event(fake.account_event(onboard.group(1)))
                return self._send(302, "", "text/plain", {"Location": query.get("return_url", "/")})
            checkout = re.fullmatch(r"/_fake/checkout/([^/]+)", path)
            if checkout and checkout.group(1) in fake.state.checkout_sessions:
                session = fake.state.checkout_sessions[checkout.group(1)]
                if method == "POST":
                    fake.complete_checkout(session["id"])
                    if fake.webhook_url:
                        fake.send_event(fake.checkout_completed_event(session["id"]))
                    return self._send(302, "", "text/plain", {"Location": session["success_url"]})
                amount = format_money(session['amount_total'])
                page = (f"<!doctype html><html lang='en'><title>Fake Stripe Checkout</title>"
                        f"<h1>Pay {html.escape(amount)}</h1><p>This is the test stand-in for Stripe Checkout.</p>"
                        f"<form method='post'><button>Pay {html.escape(amount)}</button></form>"
                        f"<p><a href='{html.escape(session['cancel_url'] or '/')}'>Cancel</a></p></html>")
                return self._send(200, page, "text/html; charset=utf-8")
            return self._send(404, "Not found", "text/plain")

        def _send(self, status: int, text: str, content_type: str, headers: dict | None = None) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
