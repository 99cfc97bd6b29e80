"""The idea being written, kept in the resident's dialog state (persisted, so it survives a
restart): which step they are on and what they have entered so far. Nothing here is business
data until the resident confirms; then it becomes an idea in the database."""

from __future__ import annotations

from typing import Any

from core.ideas.model import NewIdea

SCREEN_PREFIX = "idea:"
STEPS = ("title", "description", "photo", "location", "topic", "district", "preview")
# Steps that are counted for "Step n of N" (the preview is not a question).
QUESTION_STEPS = STEPS[:-1]
COMMENT_SCREEN = SCREEN_PREFIX + "comment"
DRAFT_KEY = "draft"  # a lasting key: the engine keeps it whatever screen comes next
_CONTENT = ("title", "description", "photo", "lat", "topic", "district")


def screen(step: str) -> str:
    return SCREEN_PREFIX + step


def current_step(state: dict[str, Any]) -> str | None:
    name = str(state.get("screen", ""))
    if not name.startswith(SCREEN_PREFIX):
        return None
    step = name.removeprefix(SCREEN_PREFIX)
    return step if step in STEPS else None


def draft_of(state: dict[str, Any]) -> dict[str, Any]:
    draft = state.get(DRAFT_KEY)
    return dict(draft) if isinstance(draft, dict) else {}


def has_content(draft: dict[str, Any]) -> bool:
    """Whether the resident has entered anything that would be lost by dropping the draft."""
    return any(draft.get(name) not in (None, "") for name in _CONTENT)


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def previous_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def step_number(step: str) -> int:
    return QUESTION_STEPS.index(step) + 1


def to_new_idea(draft: dict[str, Any], author_id: int) -> NewIdea:
    return NewIdea(
        author_id=author_id,
        title=str(draft.get("title", "")),
        description=str(draft.get("description", "")),
        topic=str(draft.get("topic", "")),
        district=str(draft.get("district", "")),
        call_id=int(draft["call"]) if draft.get("call") is not None else None,
        photo_ref=draft.get("photo"),
        latitude=draft.get("lat"),
        longitude=draft.get("lon"),
    )
