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
    "consultation.create": "admin_cli.consultations:create_action",
    "consultation.export-text": "admin_cli.consultations:export_text_action",
    "consultation.texts-public": "admin_cli.consultations:texts_public_action",
    "contest.create": "admin_cli.contests:create_action",
    "contest.entries": "admin_cli.contests:entries_action",
    "contest.approve": "admin_cli.contests:approve_action",
    "contest.reject": "admin_cli.contests:reject_action",
    "pb.create": "admin_cli.pb:create_action",
    "pb.projects": "admin_cli.pb:projects_action",
    "pb.review": "admin_cli.pb:review_action",
    "pb.milestone": "admin_cli.pb:milestone_action",
    "audit.anchor": "admin_cli.audit_log:anchor_action",
    "audit.list": "admin_cli.audit_log:list_action",
    "audit.verify": "admin_cli.audit_log:verify_action",
    "hromada.apply": "admin_cli.hromadas:apply_action",
    "hromada.apply.preview": "admin_cli.hromadas:preview_action",
    "hromada.create": "admin_cli.hromadas:create_action",
    "hromada.list": "admin_cli.hromadas:list_action",
    "hromada.set-bot": "admin_cli.hromada_bots:set_bot_action",
    "hromada.show": "admin_cli.hromadas:show_action",
    "officials.add": "admin_cli.officials:add_action",
    "officials.list": "admin_cli.officials:list_action",
    "officials.token.revoke": "admin_cli.officials:revoke_action",
    "officials.token.rotate": "admin_cli.officials:rotate_action",
    "officials.token.show": "admin_cli.officials:tokens_action",
    "open-data.export": "admin_cli.open_data:export_action",
    "residents.export": "admin_cli.resident_data:export_action",
    "residents.forget": "admin_cli.resident_data:forget_action",
    "residents.show": "admin_cli.residents:show_action",
    "residents.stats": "admin_cli.residents:stats_action",
    "org.create": "admin_cli.orgs:create_action",
    "org.list": "admin_cli.orgs:list_action",
    "org.show": "admin_cli.orgs:show_action",
    "org.add-official": "admin_cli.orgs:add_official_action",
    "org.link-channel": "admin_cli.orgs:link_channel_action",
    "org.event.create": "admin_cli.orgs:event_create_action",
    "org.event.cancel": "admin_cli.orgs:event_cancel_action",
    "org.post": "admin_cli.orgs:post_action",
    "petitions.list": "admin_cli.petitions:list_action",
    "petitions.show": "admin_cli.petitions:show_action",
    "petitions.approve": "admin_cli.petitions:approve_action",
    "petitions.reject": "admin_cli.petitions:reject_action",
    "petitions.answer": "admin_cli.petitions:answer_action",
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
