"""SQLModel tables, one module per area. Importing this package registers every table."""

from marketplace.models.advocacy import AdvocateLink, LegalBasis, LinkStatus
from marketplace.models.audit import AuditLog
from marketplace.models.ledger import (
    Budget,
    BudgetCategory,
    FundingSource,
    LedgerBalance,
    LedgerMonthTotal,
    LedgerTransaction,
    PaymentSchedule,
    Posting,
)
from marketplace.models.notification import JobFailure, Notification, NotificationSetting
from marketplace.models.package import (
    CarePackage,
    LineResponse,
    Outcome,
    PackageEvent,
    PackageLine,
    PackageStatus,
    SupportPlan,
)
from marketplace.models.payment import (
    Contribution,
    Payment,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    PayoutAccount,
    PayoutStatus,
    StripeEvent,
)
from marketplace.models.person import CaseAssignment, Person
from marketplace.models.provider import (
    Provider,
    ProviderArea,
    ProviderChange,
    ProviderLanguage,
    ProviderMember,
    Review,
    Service,
    StaffInvitation,
    VettingCheck,
)
from marketplace.models.user import Role, SignInThrottle, User

__all__ = [
    "AdvocateLink", "AuditLog", "Budget", "BudgetCategory", "CarePackage", "CaseAssignment",
    "Contribution", "FundingSource", "JobFailure", "LedgerTransaction", "LegalBasis", "LineResponse",
    "LinkStatus", "Notification", "NotificationSetting", "Outcome", "PackageEvent", "PackageLine",
    "PackageStatus", "Payment", "PaymentMethod", "PaymentSchedule", "PaymentSettings",
    "PaymentStatus", "PayoutAccount", "PayoutStatus", "Person", "Posting", "LedgerBalance", "LedgerMonthTotal", "Provider",
    "ProviderArea", "ProviderChange", "ProviderLanguage", "ProviderMember", "Review", "Role",
    "Service", "SignInThrottle", "StaffInvitation", "StripeEvent", "SupportPlan", "User",
    "VettingCheck",
]
