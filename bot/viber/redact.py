"""Keep the bot token out of every log line, whoever logs it (us, aiohttp, viberbot).

Redaction happens where records are made (the log record factory), so it covers every logger
and handler, including ones configured after the channel starts.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

MASK = "***"

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str, secrets: set[str] | list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def _scrub(record: logging.LogRecord) -> None:
    secrets = tuple(_secrets)
    if not secrets:
        return
    message = record.getMessage()
    cleaned = redact(message, secrets)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        if any(s in text for s in secrets):
            # Formatters reuse exc_text when set; drop exc_info so the raw text is never rebuilt.
            record.exc_text, record.exc_info = redact(text, secrets), None


def install_log_redaction(secret: str) -> None:
    """Mask `secret` in every log record from now on. Safe to call repeatedly."""
    global _installed
    if not secret:
        return
    with _lock:
        _secrets.add(secret)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
