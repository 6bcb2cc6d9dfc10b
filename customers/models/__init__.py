"""The customer database, one module per sub-domain; import from `customers.models`."""

from customers.models.audit import AuditEntry, AuditEntryQuerySet
from customers.models.balances import BalanceSnapshot
from customers.models.customer import (
    ASSESSMENT_WITHOUT_CLASS,
    BIRTH_DATE_IMPLAUSIBLE,
    BIRTH_DATE_MISMATCH,
    CUSTOMER_NUMBER_FORMAT,
    FUTURE_ASSESSMENT,
    MOBILE_FORMAT,
    PREFERRED_CHANNELS,
    RISK_ASSESSMENT_VALID_MONTHS,
    Channel,
    Customer,
    CustomerQuerySet,
    customer_number_validator,
    mobile_validator,
    national_id_validator,
    risk_assessment_cutoff,
)
from customers.models.household import Relationship
from customers.models.life_events import LifeEvent
from customers.models.needs import (
    DEFAULT_NEED_TYPE_NAMES,
    CustomerNeed,
    NeedChange,
    NeedType,
    need_change_words,
    need_discussed_evidence,
    need_discussed_reason,
    need_status_label,
    need_text,
)
from customers.models.risk import RiskAssessment

__all__ = [
    "ASSESSMENT_WITHOUT_CLASS",
    "BIRTH_DATE_IMPLAUSIBLE",
    "BIRTH_DATE_MISMATCH",
    "CUSTOMER_NUMBER_FORMAT",
    "DEFAULT_NEED_TYPE_NAMES",
    "FUTURE_ASSESSMENT",
    "MOBILE_FORMAT",
    "PREFERRED_CHANNELS",
    "RISK_ASSESSMENT_VALID_MONTHS",
    "AuditEntry",
    "AuditEntryQuerySet",
    "BalanceSnapshot",
    "Channel",
    "Customer",
    "CustomerNeed",
    "CustomerQuerySet",
    "LifeEvent",
    "NeedChange",
    "NeedType",
    "Relationship",
    "RiskAssessment",
    "customer_number_validator",
    "mobile_validator",
    "national_id_validator",
    "need_change_words",
    "need_discussed_evidence",
    "need_discussed_reason",
    "need_status_label",
    "need_text",
    "risk_assessment_cutoff",
]
