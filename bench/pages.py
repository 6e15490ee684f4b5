"""The pages the harness drives. Adding a page is one line: (name, role, path).

`role` is the demo role the load generator signs in as (None: not signed in). A path may name
values the data generator made, in braces: `{provider_id}`, `{deep_statement_page}` …
(see `bench.data.Dataset.path_values`).
"""

from dataclasses import dataclass

from marketplace.models import Role


@dataclass(frozen=True)
class Page:
    name: str
    role: Role | None
    path: str

    def url(self, values: dict) -> str:
        return self.path.format(**values)


PAGES = [
    Page("start page", None, "/"),
    Page("budget holder home", Role.PERSON, "/"),
    Page("advocate home", Role.ADVOCATE, "/"),
    Page("commissioner home", Role.COMMISSIONER, "/"),
]

# Which demo account signs in for each role.
DEMO_ACCOUNTS = {
    Role.PERSON: "sam@example.org",
    Role.ADVOCATE: "alex@example.org",
    Role.PROVIDER: "care@brightpath.example",
    Role.PROFESSIONAL: "priya@example.org",
    Role.COMMISSIONER: "council@example.org",
}


def select_pages(names: list[str] | None) -> list[Page]:
    if not names:
        return list(PAGES)
    known = {page.name: page for page in PAGES}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"Unknown page(s): {', '.join(unknown)}. Known: {', '.join(known)}")
    return [known[name] for name in names]
