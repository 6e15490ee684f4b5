"""create_app() builds the Flask app: extensions, blueprints, error pages, CLI."""

from flask import Flask, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace import db, jobs
from marketplace.config import PROJECT_ROOT, load_config
from marketplace.extensions import csrf, limiter, login_manager
from marketplace.query import DatabaseIdConverter
from marketplace.scope import NotAllowed

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        "marketplace",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(load_config(config))
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        # Behind reverse proxies that terminate TLS: trust exactly the addresses and scheme they
        # add, so a client's own X-Forwarded-For cannot change who the rate limits count.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    # Before any route is added: ids in paths are ASCII digits the database can hold, or 404.
    app.url_map.converters["int"] = DatabaseIdConverter
    _set_up_templates(app)
    db.init_app(app)
    jobs.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    Talisman(
        app,
        force_https=False,  # TLS is the reverse proxy's job; cookies are Secure in production
        strict_transport_security=app.config["APP_ENV"] == "production",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",  # as the CSP's frame-ancestors 'none', for browsers without CSP
        referrer_policy="same-origin",
    )
    _register_blueprints(app)
    _register_error_pages(app)

    from marketplace.account.views import require_two_step_set_up, session_timing
    from marketplace.auth.permissions import enforce_access_rule
    from marketplace.auth.sessions import enforce_session_limits
    from marketplace.cli import register_commands

    # In this order: an expired session is signed out before the page's rule is checked, and
    # staff without two-step sign-in are sent to set it up only once they may see the page.
    app.before_request(enforce_session_limits)
    app.before_request(enforce_access_rule)
    app.before_request(require_two_step_set_up)
    app.context_processor(session_timing)
    app.after_request(_no_store_when_signed_in)
    register_commands(app)
    return app


def _no_store_when_signed_in(response):
    """A signed-in page may show someone's budget or health needs: never keep it in a shared or
    back-button cache."""
    from flask_login import current_user

    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def _set_up_templates(app: Flask) -> None:
    from marketplace import templating

    app.jinja_environment = templating.PageEnvironment  # before app.jinja_env is first made
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(PROJECT_ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    templating.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from marketplace.account.views import bp as account_bp
    from marketplace.admin import bp as admin_bp
    from marketplace.advocacy.views import bp as advocacy_bp
    from marketplace.auth.views import bp as auth_bp
    from marketplace.budgets.views import bp as budget_bp
    from marketplace.caseload.views import bp as caseload_bp
    from marketplace.invoices.views import bp as invoices_bp
    from marketplace.notifications.views import bp as notifications_bp
    from marketplace.own_providers.views import bp as own_providers_bp
    from marketplace.packages.views import bp as packages_bp
    from marketplace.pages.views import bp as pages_bp
    from marketplace.payments.views import bp as payments_bp
    from marketplace.plans.views import bp as plan_bp
    from marketplace.provider_requests.views import bp as provider_requests_bp
    from marketplace.provider_workspace.views import bp as provider_workspace_bp
    from marketplace.providers.views import bp as providers_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(providers_bp)
    app.register_blueprint(provider_workspace_bp)
    app.register_blueprint(budget_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(advocacy_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(plan_bp)
    app.register_blueprint(packages_bp)
    app.register_blueprint(own_providers_bp)
    app.register_blueprint(caseload_bp)
    app.register_blueprint(provider_requests_bp)
    app.register_blueprint(invoices_bp)
    app.register_blueprint(notifications_bp)


def _register_error_pages(app: Flask) -> None:
    from marketplace.security_log import log_refusal

    def refused(handler, status: int):
        def log_then_handle(error):
            log_refusal(status)
            return handler(error)

        return log_then_handle

    def page(template: str, status: int):
        def handler(error):
            # abort(403, "plain reason") explains itself; werkzeug's stock wording is not shown.
            default = getattr(type(error), "description", None)
            description = getattr(error, "description", None)
            explanation = description if description and description != default else None
            return render_template(template, explanation=explanation), status

        return handler

    def not_allowed(error):
        from marketplace.auth.acting import refusal_explanation

        return render_template("errors/403.html", explanation=refusal_explanation(error)), 403

    app.register_error_handler(NotAllowed, refused(not_allowed, 403))
    app.register_error_handler(CSRFError, page("errors/csrf.html", 400))
    app.register_error_handler(400, page("errors/400.html", 400))
    app.register_error_handler(403, refused(page("errors/403.html", 403), 403))
    app.register_error_handler(404, refused(page("errors/404.html", 404), 404))
    app.register_error_handler(405, page("errors/405.html", 405))
    app.register_error_handler(RateLimitExceeded, page("errors/429.html", 429))
    app.register_error_handler(500, page("errors/500.html", 500))
