"""The walls between the web and the rules: rules never commit and never need Flask.

A module is on the web side only if its name is listed below; every other module in the
package is a rule module (a new one is covered without touching this test).
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import marketplace

PACKAGE = Path(marketplace.__file__).parent

# Modules that handle requests or commands: they may import Flask, and they commit.
WEB_SIDE = frozenset({
    "views", "forms", "cli", "factory", "db", "extensions", "templating", "navigation",
    "pages", "acting", "permissions", "delivery", "admin",
    # Runs in the error handler: reads the request and commits the refusal on its own.
    "security_log",
    # A form field, like forms: its widget comes from govuk-frontend-wtf, which needs Flask.
    "date_input",
    # Jobs play the view's part for background work: they open a session and commit.
    "jobs",
    # How long a sign-in lasts: kept in, and checked against, the signed session cookie.
    "sessions",
})
# Loading the demo is a command of its own (`flask demo-data`): it commits once, at the end,
# but stays free of Flask like the rules it calls.
COMMANDS_WITHOUT_FLASK = frozenset({"demo"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_web_side(name: str) -> bool:
    return any(part in WEB_SIDE for part in name.split(".")[1:])


def rule_modules() -> list[str]:
    names = [_module_name(path) for path in sorted(PACKAGE.rglob("*.py"))]
    return [name for name in names if not _is_web_side(name)]


def _calls_to(source: str, methods: set[str]) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods]


def _path_of(name: str) -> Path:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_the_rules_are_found():
    names = rule_modules()
    for expected in ("marketplace.ledger", "marketplace.models", "marketplace.scope",
                     "marketplace.advocacy.service", "marketplace.budgets.service",
                     "marketplace.providers.service", "marketplace.auth.service"):
        assert expected in names
    assert "marketplace.advocacy.views" not in names


@pytest.mark.parametrize("name", [n for n in rule_modules() if n.split(".")[-1] not in COMMANDS_WITHOUT_FLASK])
def test_rules_never_commit_or_roll_back(name):
    """The view, command or job that called them commits once, so a change, its audit entry
    and its money are saved together."""
    assert _calls_to(_path_of(name).read_text(), {"commit", "rollback"}) == [], name


def test_the_commit_check_sees_a_commit():
    assert _calls_to("def save(session):\n    session.add(1)\n    session.commit()\n", {"commit"}) == [3]


def test_rules_import_without_flask():
    """Imported in a fresh interpreter: nothing they need pulls Flask in."""
    names = rule_modules()
    program = (f"import sys\nfor name in {names!r}:\n    __import__(name)\n"
               "print('flask' in sys.modules, 'flask_login' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            cwd=PACKAGE.parent, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_flask_check_sees_flask():
    result = subprocess.run([sys.executable, "-c", "import sys, marketplace.db; print('flask' in sys.modules)"],
                            capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert result.stdout.strip() == "True"


# Who acts comes in the Scope: a rule that took a bare `actor` could be handed anyone, and would
# have to decide for itself what they may do. The money layer records the actor its caller has
# already checked, and the instalment sweep runs with no one acting.
TAKES_AN_ACTOR = frozenset({"marketplace.ledger", "marketplace.audit", "marketplace.budgets.service.post_due_instalments"})


def _functions_taking_an_actor(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
            and any(arg.arg == "actor" for arg in node.args.args + node.args.kwonlyargs)]


@pytest.mark.parametrize("name", [n for n in rule_modules() if n not in TAKES_AN_ACTOR])
def test_rules_take_the_scope_not_an_actor(name):
    found = [function for function in _functions_taking_an_actor(_path_of(name).read_text())
             if f"{name}.{function}" not in TAKES_AN_ACTOR]
    assert found == [], f"{name}: {found} take an actor; take `scope: Scope` and ask can()/require()"


def test_the_actor_check_sees_an_actor():
    assert _functions_taking_an_actor("def save(session, *, actor):\n    pass\n") == ["save"]
