"""Who may take part in a campaign: anyone, verified residents, residents of some districts.

Officials write it as `--eligible verified` and/or `--eligible district:zarichchia,rotok`
(`eligible:` in campaign files: the same words, one string or a list). It is stored on the
campaign (every kind shares it) and checked by each kind's service before a vote, an answer,
a support, an entry or a contest vote (core/campaigns/template.py: `ensure_eligible`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.citizens.model import Citizen
from core.hromadas.taxonomy import (
    WHOLE_CITY,
    home_district_codes,
    is_home_district,
    is_known_district,
)
from core.kernel.errors import NotEligibleError, ValidationError

VERIFIED = "verified"
DISTRICT_PREFIX = "district:"
ANYONE = "all"
# The campaigns.eligible_districts column holds the codes comma-separated.
DISTRICTS_COLUMN_MAX = 200


class Ineligible(StrEnum):
    """Why a resident may not take part, in the order a resident can fix it."""

    NOT_VERIFIED = "not_verified"
    NO_DISTRICT = "no_district"
    WRONG_DISTRICT = "wrong_district"


@dataclass(frozen=True, slots=True)
class Eligibility:
    verified: bool = False
    districts: tuple[str, ...] = ()  # home district codes, in the city's order; () = any

    @property
    def restricted(self) -> bool:
        return self.verified or bool(self.districts)

    @classmethod
    def parse(cls, values: Iterable[str]) -> Eligibility:
        """`verified`, `district:a,b` (repeatable, combinable) or `all`; refuses anything else."""
        verified = False
        districts: set[str] = set()
        for raw in values:
            value = (raw or "").strip()
            lowered = value.lower()
            if lowered == VERIFIED:
                verified = True
            elif lowered == ANYONE:
                continue
            elif lowered.startswith(DISTRICT_PREFIX):
                codes = [c.strip() for c in value[len(DISTRICT_PREFIX) :].split(",")]
                if not any(codes):
                    raise ValidationError("eligible_no_districts", value=value)
                for code in filter(None, codes):
                    if not is_home_district(code):
                        raise ValidationError("eligible_unknown_district", value=code)
                    districts.add(code)
            else:
                raise ValidationError("eligible_unknown", value=value)
        ordered = tuple(code for code in home_district_codes() if code in districts)
        return cls(verified=verified, districts=ordered)

    @classmethod
    def stored(cls, verified: bool | None, districts: str | None) -> Eligibility:
        """From the campaigns row; a district retired since then still counts (the campaign
        was set up with it), one deleted from the profile is dropped."""
        codes = tuple(
            c for c in (districts or "").split(",") if c != WHOLE_CITY and is_known_district(c)
        )
        return cls(verified=bool(verified), districts=codes)

    @property
    def districts_column(self) -> str | None:
        return ",".join(self.districts) or None

    def __str__(self) -> str:
        """The words an official typed, normalised: `verified; district:rotok,zarichchia`."""
        parts = [VERIFIED] if self.verified else []
        if self.districts:
            parts.append(DISTRICT_PREFIX + ",".join(self.districts))
        return "; ".join(parts) or ANYONE

    def as_list(self) -> list[str]:
        """The `--eligible` values that recreate it (JSON output, audit entries)."""
        parts = [VERIFIED] if self.verified else []
        if self.districts:
            parts.append(DISTRICT_PREFIX + ",".join(self.districts))
        return parts

    def missing(self, citizen: Citizen) -> list[Ineligible]:
        """Everything this resident lacks to take part, in the order to fix it; [] = eligible."""
        found = []
        if self.verified and not citizen.verified:
            found.append(Ineligible.NOT_VERIFIED)
        if self.districts:
            if citizen.home_district is None:
                found.append(Ineligible.NO_DISTRICT)
            elif citizen.home_district not in self.districts:
                found.append(Ineligible.WRONG_DISTRICT)
        return found

    def refusal(self, citizen: Citizen) -> Ineligible | None:
        """Why this resident may not take part (the first thing to fix), or None."""
        missing = self.missing(citizen)
        return missing[0] if missing else None

    def ensure(self, citizen: Citizen, *, campaign_id: int, kind: str) -> None:
        reason = self.refusal(citizen)
        if reason is not None:
            raise NotEligibleError(
                reason.value,
                campaign_id=campaign_id,
                kind=kind,
                verified=self.verified,
                districts=self.districts,
                home_district=citizen.home_district,
                district_changeable_at=citizen.district_changeable_at,
                missing=tuple(m.value for m in self.missing(citizen)),
            )


EVERYONE = Eligibility()
