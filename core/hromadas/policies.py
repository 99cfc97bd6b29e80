"""The rules a hromada's profile sets, over the installation's (SPILNO_*) ones."""

from __future__ import annotations

from dataclasses import replace

from core.config import Policies
from core.delivery.policy import DeliveryPolicy
from core.hromadas.model import HromadaSettings


def hromada_policies(base: Policies, settings: HromadaSettings) -> Policies:
    """`base` with what the hromada set for itself; unset settings keep the installation's."""
    delivery = base.delivery
    if settings.quiet_hours is not None:
        quiet = DeliveryPolicy.from_text(settings.quiet_hours, delivery.digest_hour)
        delivery = replace(delivery, quiet_start=quiet.quiet_start, quiet_end=quiet.quiet_end)
    if settings.digest_hour is not None:
        delivery = replace(delivery, digest_hour=settings.digest_hour)
    ideas = base.ideas
    if settings.ideas_support_threshold is not None:
        ideas = replace(ideas, support_threshold=settings.ideas_support_threshold)
    if delivery is base.delivery and ideas is base.ideas:
        return base
    return replace(base, delivery=delivery, ideas=ideas)
