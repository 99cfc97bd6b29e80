"""Consultations in the campaign-kind template: results go out from their own sweep."""

from __future__ import annotations

from datetime import datetime

from core.campaigns.kinds import CampaignKindSpec
from core.campaigns.model import CampaignKind
from core.consultations import service as consultations
from core.consultations import tables
from core.consultations.plan import parse_consultation
from core.consultations.ports import CONSULTATIONS
from core.consultations.sql import SqlConsultationRepository
from core.hromadas.taxonomy import N_
from core.kernel.unit_of_work import UnitOfWork
from core.storage.contributions import Binding, CitizenReference, OnForget, OnMerge, Participation


async def _settle_unannounced(uow: UnitOfWork, consultation_id: int, now: datetime) -> None:
    # Nobody could answer, so there are no results to announce later.
    await uow.repository(CONSULTATIONS).mark_published(consultation_id, now)


async def _sweep(uow: UnitOfWork, now: datetime) -> tuple[list[int], ...]:
    return (await consultations.publish_due(uow, now),)


CONSULTATION = CampaignKindSpec(
    kind=CampaignKind.CONSULTATION,
    opened_headline=N_("📋 New public consultation: “{title}”"),
    results_on_close=False,
    settle_unannounced=_settle_unannounced,
    sweep=_sweep,
    tables=tables,
    repositories=(Binding(CONSULTATIONS, SqlConsultationRepository),),
    participants=tables.consultation_participants,
    citizen_columns=(
        CitizenReference(
            "consultation_responses",
            "citizen_id",
            OnMerge.SUBMITTED_FIRST,
            OnForget.ANONYMIZE,
            forget_plan=Participation("campaign_id"),
        ),
    ),
    parse_file=parse_consultation,
)
