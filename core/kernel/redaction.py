"""The one redaction: bot tokens, webhook secrets and officials' personal tokens never reach a
log line, error text or traceback.

Register each secret once at start-up (`register_secret`). Then `redact` cleans any text we are
about to show (an error message, a CLI line), and a log record factory cleans every record of
every logger and handler, including ones added later (pytest's capture, a JSON handler).
aiogram builds request URLs as `<api>/bot<token>/<method>` and aiohttp quotes the URL in its
exceptions, so any exception text may carry the Telegram token; Viber's goes in a header that
viberbot and aiohttp may still quote.

Officials' personal tokens (core/officials/token_model.py) are too many to register one by one
and most are never seen by this process: anything of their shape is masked instead.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "***"
# Very short values would mask ordinary words; real tokens are long.
MIN_SECRET_LENGTH = 8
# An official's personal token starts with this; the rest is base64url (43 characters). The
# pattern takes shorter tails too, so a token cut short in a log line is still masked.
PERSONAL_TOKEN_PREFIX = "spl_"
_PERSONAL_TOKEN = re.compile(re.escape(PERSONAL_TOKEN_PREFIX) + r"[A-Za-z0-9_-]{16,}")

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    """`text` with every registered secret and every personal token replaced by a mask."""
    for secret in tuple(_secrets):
        if secret in text:
            text = text.replace(secret, MASK)
    if PERSONAL_TOKEN_PREFIX in text:
        text = _PERSONAL_TOKEN.sub(PERSONAL_TOKEN_PREFIX + MASK, text)
    return text


def register_secret(*values: str | None) -> None:
    """Add values that must never be shown and make sure the log redaction is in place."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)
        _install()


def install() -> None:
    """Clean every log record from now on (personal tokens need no registration)."""
    with _lock:
        _install()


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def scrub(record: logging.LogRecord) -> None:
    """Mask every registered secret in a record's message and traceback text."""
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call; leave it to logging's own error report
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        redacted = redact(text)
        if redacted != text:
            # Formatters reuse exc_text when set; drop exc_info so the raw text is never rebuilt.
            record.exc_text, record.exc_info = redacted, None
