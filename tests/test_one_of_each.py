"""One of each shared helper: a single "today in the UK", money words only from
marketplace.money, and one pagination macro. A second copy creeping back fails here."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted((ROOT / "marketplace").rglob("*.py"))
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def _offenders(files, pattern: str, allowed: set[str]) -> list[str]:
    found = re.compile(pattern)
    return [f"{path.relative_to(ROOT)}:{number}" for path in files
            if str(path.relative_to(ROOT)) not in allowed
            for number, line in enumerate(path.read_text().splitlines(), start=1) if found.search(line)]


@pytest.mark.parametrize("pattern", [r"date\.today\(", r"ZoneInfo\(", r"datetime\.now\((?!UTC\))"])
def test_today_in_the_uk_comes_only_from_marketplace_dates(pattern):
    assert _offenders(CODE, pattern, {"marketplace/dates.py"}) == []


def test_money_is_turned_into_pounds_only_by_marketplace_money():
    assert _offenders(CODE, r"/\s*100\b", {"marketplace/money.py"}) == []


def test_there_is_one_pagination_macro():
    assert _offenders(TEMPLATES, r"govukPagination", {"templates/_pagination.html"}) == []
