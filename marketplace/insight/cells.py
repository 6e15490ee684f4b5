"""Table cells written in Python where a page draws hundreds of them. Choice and gaps has a
count for every district and kind of support; a template spends more time escaping each of
those numbers and choosing its tag than the rest of the page takes. Counts are whole numbers,
so there is nothing in them to escape."""

from collections.abc import Iterable
from functools import cache

from markupsafe import Markup

from marketplace.insight.choice import FEW


@cache
def _provider_count_cell(count: int) -> str:
    tag = (' <strong class="govuk-tag govuk-tag--red">None</strong>' if count == 0
           else ' <strong class="govuk-tag govuk-tag--yellow">Only one</strong>' if count <= FEW else "")
    return f'<td class="govuk-table__cell govuk-table__cell--numeric">{count:d}{tag}</td>'


def provider_count_cells(counts: Iterable[int]) -> Markup:
    """A district's row of vetted-provider counts, one numeric cell each, with none or only one tagged."""
    return Markup("".join(_provider_count_cell(count) for count in counts))
