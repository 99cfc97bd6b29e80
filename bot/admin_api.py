"""The admin API under /admin/api: officials' `spilno-admin` from their own computers (issue 19).

`POST /admin/api/v1/actions/<name>` runs the action `name` (admin_cli/catalog.py) — the same
function the CLI runs in-process — with the JSON body as its parameters, as the official the
bearer token speaks for, in the token's hromada (or, for an operator, the one the
`X-Spilno-Hromada` header names). `GET /admin/api/openapi.json` describes every action.

Answers: 200 with the result; otherwise `{"error": {"code", "message", "exit_code"}}` — the
message in the caller's language (Accept-Language), the exit code the CLI exits with:
400 bad parameters · 401 no, wrong, revoked or expired token (the reason is not told) ·
403 outside the official's role or hromada · 404 no such action or record · 409 refused by
the rules · 413 body too large · 429 too many requests (Retry-After) · 503 database down.
Tokens never reach a log: only the token's id is kept in memory, for its rate limit.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any

from aiohttp import web

from admin_cli.client import API_PREFIX, API_VERSION
from core.bootstrap import App
from core.citizens.model import SUPPORTED_LOCALES
from core.kernel import i18n

log = logging.getLogger(__name__)

# The paths the CLI calls (admin_cli/client.py): one definition for both ends.
PREFIX = API_PREFIX
VERSION = API_VERSION
MAX_BODY_BYTES = 16 * 1024 * 1024  # a 10 MB image as base64, with room for its message
# Defaults of SPILNO_ADMIN_API_BURST, _RATE and _FAILURES (core/config.py).
PER_TOKEN_BURST = 60  # requests a token may make at once…
PER_TOKEN_RATE = 10.0  # …and per second after that
FAILURES_PER_WINDOW = 10  # failed tokens from one address per window, then 429 until it ends
FAILURE_WINDOW_S = 60.0
_MAX_TRACKED = 10_000  # addresses and tokens kept in memory, oldest forgotten first


class _Refused(Exception):
    def __init__(
        self, status: int, code: str, message: str, exit_code: int = 1, retry_after: int = 0
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.exit_code, self.retry_after = exit_code, retry_after


class TokenBuckets:
    """Per-token rate limit: `burst` at once, refilled at `rate` per second."""

    def __init__(self, burst: int = PER_TOKEN_BURST, rate: float = PER_TOKEN_RATE) -> None:
        self.burst, self.rate = burst, rate
        self._buckets: OrderedDict[int, tuple[float, float]] = OrderedDict()

    def take(self, key: int, now: float) -> float:
        """0 when a request may go now, else the seconds until it may."""
        tokens, since = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - since) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
        while len(self._buckets) > _MAX_TRACKED:
            self._buckets.popitem(last=False)
        return wait


class FailedTokens:
    """Throttles guessing: after `limit` refused tokens from one address within `window_s`,
    that address gets 429 until the window ends, without its tokens being looked at."""

    def __init__(self, limit: int = FAILURES_PER_WINDOW, window_s: float = FAILURE_WINDOW_S):
        self.limit, self.window_s = limit, window_s
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def blocked_for(self, address: str, now: float) -> float:
        count, started = self._seen.get(address, (0, now))
        if now - started >= self.window_s:
            self._seen.pop(address, None)
            return 0.0
        return started + self.window_s - now if count >= self.limit else 0.0

    def failed(self, address: str, now: float) -> None:
        count, started = self._seen.pop(address, (0, now))
        if now - started >= self.window_s:
            count, started = 0, now
        self._seen[address] = (count + 1, started)
        while len(self._seen) > _MAX_TRACKED:
            self._seen.popitem(last=False)


def build_admin_api(app: App) -> web.Application:
    """The /admin/api sub-application of `spilno run`'s web server."""
    api = web.Application()
    settings = app.settings
    buckets = TokenBuckets(settings.admin_api_burst, settings.admin_api_rate)
    failures = FailedTokens(settings.admin_api_failures)
    proxies = frozenset(
        p.strip() for p in settings.admin_api_trusted_proxies.split(",") if p.strip()
    )
    openapi: dict[str, bytes] = {}

    async def run_action(request: web.Request) -> web.Response:
        locale = _locale(request)
        i18n.set_locale(locale)
        try:
            return await _run(app, request, buckets, failures, client_address(request, proxies))
        except _Refused as refused:
            return _error(refused)

    async def openapi_document(_request: web.Request) -> web.Response:
        if "doc" not in openapi:
            from bot.admin_openapi import document

            openapi["doc"] = json.dumps(document(), ensure_ascii=False).encode()
        return web.Response(body=openapi["doc"], content_type="application/json")

    async def unknown(_request: web.Request) -> web.Response:
        return _error(_Refused(404, "not_found", "no such path in the admin API"))

    api.router.add_get("/openapi.json", openapi_document)
    api.router.add_post(f"/{VERSION}/actions/{{name}}", run_action)
    api.router.add_route("*", "/{tail:.*}", unknown)
    return api


def client_address(request: web.Request, proxies: frozenset[str]) -> str:
    """Who sent the request: the peer, or behind a trusted proxy the last forwarded hop that
    is not one (earlier hops are the client's own word, so not to be trusted)."""
    peer = request.remote or "?"
    if peer not in proxies:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed(hops):
        if hop and hop not in proxies:
            return hop
    return peer


async def _run(
    app: App,
    request: web.Request,
    buckets: TokenBuckets,
    failures: FailedTokens,
    address: str,
) -> web.Response:
    from admin_cli import catalog
    from admin_cli.actions import ActionContext
    from admin_cli.context import CliError, choose_hromada, enter_hromada
    from core.kernel.i18n import _
    from core.officials import tokens
    from core.officials.model import Role

    now = time.monotonic()
    if (wait := failures.blocked_for(address, now)) > 0:
        raise _Refused(429, "rate_limited", _("too many wrong tokens; try later"), 1, _ceil(wait))
    token = _bearer(request)
    try:
        async with app.operator_uow() as uow:
            identity = await tokens.verify(uow, token or "", app.clock())
    except tokens.TokenRefusedError:
        failures.failed(address, now)
        raise _Refused(
            401, "unauthorized", _("the installation refused the token: log in again")
        ) from None
    except Exception as error:  # the database, while looking the token up: 503, not a 500 page
        raise _domain_refusal(error) from error
    if (wait := buckets.take(identity.token_id, now)) > 0:
        raise _Refused(
            429, "rate_limited", _("too many requests; try again in a moment"), 1, _ceil(wait)
        )

    name = request.match_info["name"]
    action = catalog.find(name)
    if action is None:
        raise _Refused(
            404,
            "not_found",
            _("this installation has no action {name}; is it older than your spilno-admin?").format(
                name=name
            ),
        )
    body = await _read_limited(request)
    try:
        params = action.params_from_request(body)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise _Refused(400, "invalid", _bad_params(error), 2) from None

    choose_hromada(request.headers.get("X-Spilno-Hromada"), identity.official)
    ctx = ActionContext(app=app, official=identity.official, remote=True)
    try:
        stranger = await enter_hromada(
            app,
            stranger_ok=action.operator or action.operator_if_stranger,
            installation_default=action.operator,
            official=identity.official,
            token_hromada=identity.hromada_id,
            token_operator=identity.role is Role.OPERATOR,
        )
        as_operator = action.operator or (action.operator_if_stranger and stranger)
        async with app.operator_uow() if as_operator else app.uow_factory() as uow:
            result = await action.run(ctx, uow, params)
            if action.commit:
                await uow.commit()
    except CliError as error:
        status = error.http_status or (400 if error.exit_code == 2 else 409)
        raise _Refused(status, _code(status), str(error), error.exit_code) from None
    except Exception as error:
        raise _domain_refusal(error) from error
    response = web.Response(body=action.response_json(result), content_type="application/json")
    response.headers["X-Spilno-Timezone"] = i18n.current_timezone().key
    return response


async def _read_limited(request: web.Request) -> bytes:
    """The body, refused past MAX_BODY_BYTES before it is all read (a declared length) or as
    soon as it passes the limit (a chunked one)."""
    from core.kernel.i18n import _

    too_large = _Refused(
        413,
        "too_large",
        _("the request is larger than {max} MB").format(max=MAX_BODY_BYTES // (1024 * 1024)),
        2,
    )
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)


def _domain_refusal(error: Exception) -> _Refused:
    """A refusal from core, worded as the CLI words it; anything else is ours to fix (500)."""
    from core.kernel.errors import NotFoundError, SpilnoError, ValidationError
    from core.kernel.i18n import _
    from core.kernel.unit_of_work import StorageUnavailableError
    from core.officials.model import PermissionDeniedError

    if isinstance(error, SpilnoError):
        from admin_cli.errors import error_text

        if isinstance(error, ValidationError):
            status = 400
        elif isinstance(error, PermissionDeniedError):
            status = 403
        elif isinstance(error, NotFoundError):
            status = 404
        else:
            status = 409
        return _Refused(status, _code(status), error_text(error), 2 if status == 400 else 1)
    if isinstance(error, StorageUnavailableError | OSError):
        log.warning("admin API: database unavailable: %s", type(error).__name__)
        return _Refused(503, "unavailable", _("the installation's database is unavailable"))
    log.exception("admin API: action failed")
    return _Refused(500, "internal", _("the installation failed; its log says why"))


def _code(status: int) -> str:
    return {
        400: "invalid",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        409: "refused",
        413: "too_large",
        429: "rate_limited",
    }.get(status, "error")


def _bad_params(error: ValueError) -> str:
    from core.kernel.i18n import _

    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return _("bad parameter {name}: {problem}").format(name=where, problem=first.get("msg"))
    return _("the request body is not JSON")


def _bearer(request: web.Request) -> str | None:
    value = request.headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _locale(request: web.Request) -> str:
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED_LOCALES:
            return code
    return i18n.current_locale()


def _ceil(seconds: float) -> int:
    return max(1, int(seconds + 0.999))


def _error(refused: _Refused) -> web.Response:
    body: dict[str, Any] = {
        "error": {"code": refused.code, "message": refused.message, "exit_code": refused.exit_code}
    }
    response = web.json_response(body, status=refused.status)
    if refused.retry_after:
        response.headers["Retry-After"] = str(refused.retry_after)
    if refused.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="spilno"'
    return response
