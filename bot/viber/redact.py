"""Keep the bot token out of every log line, whoever logs it (us, aiohttp, viberbot).

The token travels in a header, not the URL, but viberbot and our own errors may still quote it.
It joins the one registry of secrets (bot/redact.py): redacted where log records are made, so
every logger and handler is covered, including ones configured after the channel starts.
"""

from __future__ import annotations

from bot.redact import register_secret


def install_log_redaction(secret: str) -> None:
    """Mask `secret` in every log record (and in `bot.redact.redact`) from now on."""
    register_secret(secret)
