"""A failed Bot API call, in words an operator can act on: which setting to check, and why.

Used when `spilno run` starts the Telegram channel and when `org link-channel` asks the API.
aiohttp's own texts quote the request URL, which holds the token: none of them is shown raw.
"""

from __future__ import annotations

import aiohttp
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError, TelegramUnauthorizedError

from core.kernel.i18n import _
from core.kernel.redaction import redact


def api_problem(error: BaseException) -> tuple[str, str]:
    """(reason, detail): reason is unauthorized · unreachable · refused; detail has no secret."""
    if isinstance(error, TelegramUnauthorizedError):
        return "unauthorized", ""
    if isinstance(error, TelegramNetworkError):
        return "unreachable", _network_cause(error)
    if isinstance(error, ClientDecodeError):
        return "refused", _("the answer is not from a Bot API")
    first_line = (str(error).splitlines() or [type(error).__name__])[0]
    return "refused", redact(first_line)


def problem_text(reason: str, detail: str, api_url: str) -> str:
    """One line naming the setting to check."""
    match reason:
        case "unauthorized":
            return _("Telegram refused the bot token (SPILNO_TELEGRAM_TOKEN); check it.")
        case "unreachable":
            return _(
                "cannot reach the Telegram Bot API at {url} ({cause}); check "
                "SPILNO_TELEGRAM_API_URL"
            ).format(url=api_url, cause=detail)
        case _:
            return _(
                "the Telegram Bot API at {url} refused the request ({detail}); check "
                "SPILNO_TELEGRAM_TOKEN and SPILNO_TELEGRAM_API_URL"
            ).format(url=api_url, detail=detail)


def start_failure_text(error: BaseException, api_url: str) -> str:
    return problem_text(*api_problem(error), api_url)


def _network_cause(error: TelegramNetworkError) -> str:
    cause = error.__cause__
    if isinstance(cause, aiohttp.TooManyRedirects):
        return _("it redirects in a loop")
    if isinstance(cause, aiohttp.ClientConnectorDNSError):
        return _("the host name is not found")
    if isinstance(cause, aiohttp.ClientConnectorError):
        return _("nothing answers there")
    if isinstance(cause, TimeoutError):
        return _("no answer in time")
    return redact(str(error.message).splitlines()[0] if error.message else type(cause).__name__)
