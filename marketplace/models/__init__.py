"""SQLModel tables, one module per area. Importing this package registers every table."""

from marketplace.models.account_security import Authenticator, PasswordReset, RecoveryCode
from marketplace.models.advocacy import AdvocateLink, LegalBasis, LinkStatus
from marketplace.models.audit import AuditLog
from marketplace.models.council_figures import (
    CouncilChoice,
    CouncilDistrict,
    CouncilMonthTotal,
    CouncilProviderMonth,
    CouncilTopProvider,
)
from marketplace.models.invoice import Invoice, InvoiceStatus, InvoiceVisit
from marketplace.models.ledger import (
    Budget,
    BudgetCategory,
    BudgetForecast,
    FundingSource,
    LedgerBalance,
    LedgerMonthTotal,
    LedgerTransaction,
    PaymentSchedule,
    Posting,
)
from marketplace.models.notification import JobFailure, Notification, NotificationSetting
from marketplace.models.own_provider import OwnProviderRequest, OwnProviderStatus
from marketplace.models.package import (
    CarePackage,
    LineResponse,
    Outcome,
    PackageEvent,
    PackageLine,
    PackageStatus,
    PlanComment,
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
    "AdvocateLink", "AuditLog", "Authenticator", "Budget", "BudgetCategory", "BudgetForecast", "CarePackage", "CaseAssignment",
    "CouncilChoice", "CouncilDistrict", "CouncilMonthTotal", "CouncilProviderMonth",
    "CouncilTopProvider",
    "Contribution", "FundingSource", "Invoice", "InvoiceStatus", "InvoiceVisit", "JobFailure",
    "LedgerBalance", "LedgerMonthTotal", "LedgerTransaction", "LegalBasis", "LineResponse",
    "LinkStatus", "Notification", "NotificationSetting", "Outcome", "OwnProviderRequest",
    "OwnProviderStatus", "PackageEvent", "PackageLine",
    "PackageStatus", "PasswordReset", "Payment", "PaymentMethod", "PaymentSchedule", "PaymentSettings", "PlanComment",
    "PaymentStatus", "PayoutAccount", "PayoutStatus", "Person", "Posting", "Provider",
    "ProviderArea", "ProviderChange", "ProviderLanguage", "ProviderMember", "RecoveryCode", "Review",
    "Role",
    "Service", "SignInThrottle", "StaffInvitation", "StripeEvent", "SupportPlan", "User",
    "VettingCheck",
]
