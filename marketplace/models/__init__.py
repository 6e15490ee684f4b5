"""SQLModel tables, one module per area. Importing this package registers every table."""

from marketplace.models.audit import AuditLog
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
    "AuditLog", "CaseAssignment", "Person", "Provider", "ProviderArea", "ProviderLanguage",
    "ProviderMember", "ProviderPaymentRecord", "Review", "Role", "Service", "User", "VettingCheck",
]
