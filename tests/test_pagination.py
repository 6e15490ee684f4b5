"""The pages of a list are drawn by our own markup (GOV.UK's macro took a fifth of a list
page's rendering): it must write what govukPagination writes for the same links, so nothing
changes for people or their assistive technology."""

import re

import pytest
from flask import render_template_string, url_for

OURS = ('{% from "_pagination.html" import pagination %}'
        '{{ pagination("providers.browse", arguments, page, page_count, has_next=has_next, landmark_label=label) }}')
GOV_UK = ('{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}'
          '{{ govukPagination(params) }}')


def _gov_uk_params(page, page_count, has_next, label, numbers):
    """What govukPagination is given for these links: `numbers` are the pages listed, with
    None where pages are skipped."""
    def href(number):
        return url_for("providers.browse", page=number, area="LS6")
    params = {"previous": {"href": href(page - 1)} if page > 1 else None,
              "next": {"href": href(page + 1)} if has_next else None}
    if numbers:
        params["items"] = [{"ellipsis": True} if number is None else
                           {"number": number, "href": href(number), "current": number == page}
                           for number in numbers]
    if label:
        params["landmarkLabel"] = label
    return params


def _layout_free(html: str) -> str:
    """The markup without the line breaks and indents that lay it out (between tags, and
    around the text of a link)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s*\n\s*", "", html)).strip()


@pytest.mark.parametrize(("page", "page_count", "has_next", "label", "numbers"), [
    (3, 10, True, "Pages of results", [1, 2, 3, 4, 5, None, 10]),
    (1, 2, True, None, [1, 2]),
    (9, 9, False, None, [1, None, 7, 8, 9]),
    (2, None, True, "Pages of results", []),
    (4, None, False, None, []),
    (1, None, True, None, []),
], ids=["middle of many", "first of two", "last", "previous and next only", "previous only", "next only"])
def test_the_pages_are_written_as_the_gov_uk_macro_writes_them(app, page, page_count, has_next, label, numbers):
    with app.test_request_context("/providers"):
        ours = render_template_string(OURS, arguments={"area": "LS6"}, page=page, page_count=page_count,
                                      has_next=has_next, label=label)
        gov_uk = render_template_string(GOV_UK, params=_gov_uk_params(page, page_count, has_next, label, numbers))
    assert _layout_free(ours) == _layout_free(gov_uk)


def test_a_list_of_one_page_has_no_pages(app):
    with app.test_request_context("/providers"):
        assert render_template_string(OURS, arguments={}, page=1, page_count=1, has_next=False, label=None).strip() == ""
