"""Every action the CLI and the admin API share (admin_cli/actions.py), by name: where each
lives, imported only when it is used (a command imports its own module anyway; the admin API
imports one when a request names it, and all of them for its OpenAPI document).
tests/unit/test_admin_actions.py checks this list and the modules' actions agree."""

from __future__ import annotations

import importlib
from typing import Any

from admin_cli.actions import Action

ACTIONS: dict[str, str] = {
    "whoami": "admin_cli.login:whoami_action",
    "campaign.list": "admin_cli.campaigns:list_action",
    "campaign.show": "admin_cli.campaigns:show_action",
    "campaign.open": "admin_cli.campaigns:open_action",
    "campaign.edit": "admin_cli.campaigns:edit_action",
    "campaign.delete": "admin_cli.campaigns:delete_action",
    "campaign.close": "admin_cli.campaigns:close_action",
    "campaign.results": "admin_cli.campaigns:results_action",
    "broadcast.send": "admin_cli.delivery:broadcast_action",
    "delivery.progress": "admin_cli.delivery:progress_action",
    "delivery.recent": "admin_cli.delivery:recent_action",
    "poll.create": "admin_cli.polls:create_action",
    "idea-call.create": "admin_cli.ideas:create_action",
    "ideas.list": "admin_cli.ideas:list_action",
    "ideas.show": "admin_cli.ideas:show_action",
    "ideas.approve": "admin_cli.ideas:approve_action",
    "ideas.reject": "admin_cli.ideas:reject_action",
    "ideas.answer": "admin_cli.ideas:answer_action",
    "ideas.reports": "admin_cli.ideas:reports_action",
    "ideas.restore": "admin_cli.ideas:restore_action",
    "ideas.export": "admin_cli.ideas:export_action",
}


def find(name: str) -> Action[Any] | None:
    target = ACTIONS.get(name)
    if target is None:
        return None
    module, _, attribute = target.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, Action) or found.name != name:
        raise LookupError(f"{target} is not the action {name}")
    return found


def every() -> list[Action[Any]]:
    return [a for name in ACTIONS if (a := find(name)) is not None]
