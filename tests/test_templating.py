"""The page environment keeps Jinja's rules for what an imported macro file can see."""

from jinja2 import DictLoader

from marketplace.templating import PageEnvironment

MACROS = "{% macro greet() %}Hello {{ who | default('nobody') }}{% endmacro %}"
PAGE = "{% from 'macros.html' import greet %}{{ greet() }}"


def _environment() -> PageEnvironment:
    return PageEnvironment(None, loader=DictLoader({"macros.html": MACROS, "page.html": PAGE}))


def test_an_imported_macro_sees_globals_the_page_was_given():
    environment = _environment()
    page = environment.get_template("page.html", globals={"who": "Sam"})
    assert page.render() == "Hello Sam"


def test_a_page_without_those_globals_gets_the_macro_file_as_it_stands():
    environment = _environment()
    environment.get_template("page.html", globals={"who": "Sam"}).render()
    assert environment.from_string(PAGE).render() == "Hello nobody"


def test_globals_the_environment_gains_later_reach_every_page():
    environment = _environment()
    environment.globals["who"] = "Priya"
    assert environment.get_template("page.html").render() == "Hello Priya"
