"""What every view of a package shows (budget holder, advocate, professional, provider)."""

from sqlmodel import Session

from marketplace.ledger import uk_today
from marketplace.models import CarePackage
from marketplace.packages import costing
from marketplace.packages.access import lines_of
from marketplace.packages.building import unusable_lines
from marketplace.packages.effect import budget_effect
from marketplace.packages.timeline import timeline
from marketplace.plans.service import outcomes_of
from marketplace.providers.catalogue import SERVICE_CATEGORIES


def package_context(session: Session, package: CarePackage) -> dict:
    today = uk_today()
    lines = lines_of(session, package.id)
    outcomes = outcomes_of(session, package.person_id)
    effect = budget_effect(session, package, lines, outcomes, today)
    return {
        "package": package,
        "status": package.status_enum,
        "lines": list(zip(lines, effect.cost.line_totals, strict=True)),
        "problems": unusable_lines(session, lines, today) if package.status_enum.editable or
        package.status_enum.value in ("submitted", "awaiting_review") else {},
        "outcome_text": {o.id: o.text for o in outcomes},
        "effect": effect,
        "rounding_rule": costing.ROUNDING_RULE,
        "format_quantity": costing.format_quantity,
        "categories": SERVICE_CATEGORIES,
        "timeline": timeline(session, package.id),
    }
