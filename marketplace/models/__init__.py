"""SQLModel tables, one module per area. Importing this package registers every table."""

from marketplace.models.audit import AuditLog
from marketplace.models.ledger import (
    Budget,
    BudgetCategory,
    FundingSource,
    LedgerTransaction,
    PaymentSchedule,
    Posting,
)
from marketplace.models.person import CaseAssignment, Person
from marketplace.models.provider import (
    Provider,
    ProviderArea,
    ProviderLanguage,
    ProviderMember,
    ProviderPaymentRecord,
    Review,
    Service,
    VettingCheck,
)
from marketplace.models.user import Role, User

__all__ = [
    "AuditLog", "Budget", "BudgetCategory", "CaseAssignment", "FundingSource", "LedgerTransaction",
    "PaymentSchedule", "Person", "Posting", "Provider", "ProviderArea", "ProviderLanguage",
    "ProviderMember", "ProviderPaymentRecord", "Review", "Role", "Service", "User", "VettingCheck",
]
