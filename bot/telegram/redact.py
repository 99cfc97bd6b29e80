"""Keep the bot token (and the webhook secret) out of every log line and error message.

aiogram builds request URLs as `<api>/bot<token>/<method>`, so any exception or log record that
mentions a URL would carry the token. Redaction is installed once, as a log record factory, so
it covers every logger and every handler (including ones added later, like pytest's capture).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

MASK = "***"

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    """`text` with every registered secret replaced by a mask."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def register_secret(*values: str | None) -> None:
    """Add values that must never be logged and make sure the log redaction is in place."""
    with _lock:
        # Very short values would mask ordinary words; real tokens are long.
        _secrets.update(v for v in values if v and len(v) >= 8)
        _install()


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call; leave it to logging's own error report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters reuse exc_text when set: format the traceback now, redacted.
        text = logging.Formatter().formatException(record.exc_info)
        redacted = redact(text)
        if redacted != text:
            record.exc_text = redacted
