"""A poll's line in its results push: the resident's district next to the whole city."""

from __future__ import annotations

from core.kernel.i18n import _, format_number
from core.polls.model import PollResults


def district_line(mine: PollResults, city: PollResults, district: str) -> str | None:
    """ "Your district, Zarichchia: 62% for “A”; the whole city: 48%." — the city's leading
    option, so the two numbers compare like with like."""
    if not city.voters or not mine.voters or not city.options:
        return None
    leading = max(city.options, key=lambda o: o.votes)  # the first one on a tie
    share = next(o.percent for o in mine.options if o.option_id == leading.option_id)
    return _("Your district, {district}: {share}% for “{option}”; the whole city: {city}%.").format(
        district=district,
        share=format_number(share),
        option=leading.label,
        city=format_number(leading.percent),
    )
