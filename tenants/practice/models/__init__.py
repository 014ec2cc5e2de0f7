"""Every model of the practices, one module per subject."""
from .audits import Audit, AuditItem, AuditResult, RecordKind
from .campaigns import Campaign, CampaignGroup, CampaignPhase, Commitment, Participant, PhaseChange, Showcase
from .claims import Request, RequestEvent, RequestStatus
from .grids import Grid, GridDeputy
from .notices import AttendanceNotice, ResignationAdvice, ResignationEvent, Talk
from .review import ClosingSuggestion, ReviewDecision, ReviewStage, ReviewStatus
from .settings import Period, PracticeSettings

__all__ = [
    "Audit", "AuditItem", "AuditResult", "RecordKind", "Campaign", "CampaignGroup", "CampaignPhase", "Commitment", "Participant",
    "PhaseChange", "Showcase", "Request", "RequestEvent", "RequestStatus", "Grid", "GridDeputy", "AttendanceNotice",
    "ResignationAdvice", "ResignationEvent", "Talk", "ClosingSuggestion", "ReviewDecision", "ReviewStage", "ReviewStatus",
    "Period", "PracticeSettings",
]
