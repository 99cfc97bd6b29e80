"""Keep the bot token (and the webhook secret) out of every log line and error message.

aiogram builds request URLs as `<api>/bot<token>/<method>`, so any exception or log record that
mentions a URL would carry the token. The registry is shared with every messenger (bot/redact.py),
so one `redact` call cleans any text, whichever bot's secret it holds.
"""

from __future__ import annotations

from bot.redact import MASK, redact, register_secret

__all__ = ["MASK", "redact", "register_secret"]
