"""The consultations' repository port (implemented in core.consultations.sql)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.campaigns.breakdown import Breakdown
from core.campaigns.model import CampaignStatus, ResultsVisibility
from core.consultations.model import Answer, Consultation, QuestionSpec, Response, TextAnswer
from core.kernel.ports import Port


class ConsultationRepository(Protocol):
    async def add(
        self,
        *,
        title: str,
        description: str,
        status: CampaignStatus,
        opens_at: datetime | None,
        closes_at: datetime | None,
        visibility: ResultsVisibility,
        audience: str,
        created_by: str,
        now: datetime,
        questions: Sequence[QuestionSpec],
    ) -> Consultation: ...
    async def get(self, campaign_id: int) -> Consultation | None: ...
    async def set_texts_public(self, campaign_id: int, public: bool) -> None: ...
    async def open_response(self, campaign_id: int, citizen_id: int, now: datetime) -> Response:
        """The citizen's response, created if needed, locked until commit."""
        ...

    async def find_response(self, campaign_id: int, citizen_id: int) -> Response | None: ...
    async def answers(self, response_id: int) -> dict[int, Answer]: ...
    async def save_answer(
        self, response_id: int, campaign_id: int, question_id: int, answer: Answer, now: datetime
    ) -> None:
        """Insert or replace the answer to one question (unique per response and question)."""
        ...

    async def delete_answers(self, response_id: int, question_ids: Sequence[int]) -> None: ...
    async def set_current(
        self, response_id: int, question_id: int | None, now: datetime
    ) -> None: ...
    async def submit(self, response_id: int, now: datetime) -> bool:
        """Conditional UPDATE: False when it was already submitted."""
        ...

    async def tally(self, campaign_id: int) -> tuple[list[tuple[int, int | None, int]], int]:
        """(question id, value, count) over submitted responses, and how many were submitted."""
        ...

    async def tally_by(
        self, campaign_id: int, by: Breakdown
    ) -> dict[str | None, tuple[list[tuple[int, int | None, int]], int]]:
        """`tally` per group of respondents: their home district (None: not set) or their
        verification level ("phone", "none"). Groups without a submitted response are absent."""
        ...

    async def texts(
        self, campaign_id: int, *, after: tuple[int, int] = (0, 0), limit: int = 500
    ) -> list[TextAnswer]:
        """Submitted free-text answers in batches, after (response id, question id)."""
        ...

    async def closed_unpublished(self) -> list[int]: ...
    async def mark_published(self, campaign_id: int, now: datetime) -> bool: ...


CONSULTATIONS: Port[ConsultationRepository] = Port("consultations", ConsultationRepository)
