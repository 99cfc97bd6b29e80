"""The one client interface commands call actions through: in-process or over HTTPS.

`client().call(action, **params)` returns the action's result or exits with its one line:
- `LocalClient` opens the database of SPILNO_DATABASE_URL, as `spilno-admin` always did;
- `HttpClient` posts to an installation's admin API (`spilno-admin login URL`), where the
  same action runs (bot/admin_api.py).
Both send parameters and results through the same JSON (admin_cli/actions.py), written and
read by the CLI's own codec (admin_cli/wire.py; the admin API's pydantic reads and writes the
same), so a command behaves the same either way and loads no pydantic. Which one: a login
(stored by `spilno-admin login`, or SPILNO_ADMIN_URL with SPILNO_TOKEN) makes it remote;
without one it is local.
"""

from __future__ import annotations

import contextlib
import json
import os
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from admin_cli.actions import Action
from admin_cli.context import EXIT_ERROR, EXIT_USAGE, CliError, startup_over
from admin_cli.login_store import Login, stored_login
from core.kernel.i18n import _

R = TypeVar("R")

API_PREFIX = "/admin/api"
API_VERSION = "v1"
TIMEOUT_S = 60.0


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the client acts as, as the installation sees it (`spilno-admin whoami`)."""

    official: str
    hromada: str
    role: str | None
    expires_at: str | None
    where: str  # the admin API's URL, or "local"


class Client(Protocol):
    def call(self, action: Action[R], **params: Any) -> R: ...


class LocalClient:
    """Actions in this process, in one unit of work each, against SPILNO_DATABASE_URL."""

    def __init__(self, official: str, *, explicit: bool, token: str | None = None) -> None:
        self.official = official
        self.explicit = explicit  # named by --as or SPILNO_OFFICIAL, not the OS user
        self.token = token

    def call(self, action: Action[R], **params: Any) -> R:
        from admin_cli.context import run_action

        body = action.params_json(params)  # as the admin API would receive them
        # and the result as it would come back: a type that cannot travel fails here too
        result = run_action(action, self, action.params_from_json(body))
        return action.result_from_json(action.result_json(result))


class HttpClient:
    """Actions at an installation's admin API, as the official the token speaks for."""

    def __init__(self, login: Login, *, hromada: str | None = None, locale: str = "uk") -> None:
        self.login = login
        self.hromada = hromada
        self.locale = locale

    def call(self, action: Action[R], **params: Any) -> R:
        body = self.request("POST", f"actions/{action.name}", action.params_json(params))
        startup_over()
        return action.result_from_json(body)

    def request(self, method: str, path: str, body: bytes | None = None) -> bytes:
        """One request to the admin API; any refusal is raised as the one line it carries."""
        import urllib.error
        import urllib.request

        headers = {
            "Authorization": f"Bearer {self.login.token}",
            "Accept": "application/json",
            "Accept-Language": self.locale,
            "User-Agent": "spilno-admin",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.hromada:
            headers["X-Spilno-Hromada"] = self.hromada
        url = f"{self.login.url}{API_PREFIX}/{API_VERSION}/{path}"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                zone = response.headers.get("X-Spilno-Timezone")
                if zone:  # times print in the hromada's time, as they do locally
                    _use_zone(zone)
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            raise _refusal(error.code, error.read()) from None
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise CliError(
                _("cannot reach {url}: {problem}").format(url=self.login.url, problem=reason)
            ) from None

    def whoami(self) -> Identity:
        found = json.loads(self.request("GET", "whoami"))
        return Identity(
            official=found["official"],
            hromada=found["hromada"],
            role=found.get("role"),
            expires_at=found.get("expires_at"),
            where=self.login.url,
        )


def _use_zone(name: str) -> None:
    from core.kernel import i18n

    # A zone this computer does not know: its own.
    with contextlib.suppress(ValueError, KeyError, OSError):
        i18n.use_hromada_timezone(name)


def _refusal(status: int, body: bytes) -> CliError:
    """The admin API's error body → the CLI's one line and exit code."""
    try:
        error = json.loads(body)["error"]
        return CliError(str(error["message"]), int(error.get("exit_code", EXIT_ERROR)))
    except (ValueError, KeyError, TypeError):
        if status == 401:
            return CliError(_("the installation refused the token: log in again"))
        return CliError(_("the installation answered HTTP {status}").format(status=status))


# The client the root command chose for this invocation.
_current: ContextVar[Client | None] = ContextVar("spilno_cli_client", default=None)


def use_client(chosen: Client) -> None:
    _current.set(chosen)


def client() -> Client:
    chosen = _current.get()
    if chosen is None:  # a command run without the root (tests calling one directly)
        from admin_cli.context import resolve_official

        chosen = LocalClient(resolve_official(None).name, explicit=False)
        _current.set(chosen)
    return chosen


def choose_client(as_: str | None, hromada: str | None, locale: str) -> Client:
    """Remote when logged in to an installation, else local. `--as` names an official only
    locally (and only while the installation has no roles: admin_cli/context.py)."""
    from admin_cli.context import resolve_official

    login = env_login() or stored_login()
    if login is not None and login.url is not None:
        if as_ is not None:
            raise CliError(
                _(
                    "--as is refused when working with an installation over the network: "
                    "you act as the official your token belongs to"
                ),
                EXIT_USAGE,
            )
        return HttpClient(login, hromada=hromada, locale=locale)
    explicit = as_ is not None or bool(os.environ.get("SPILNO_OFFICIAL"))
    token = login.token if login is not None else None
    if token is not None and as_ is not None:
        raise CliError(
            _("--as is refused while you are logged in: you act as your token's official"),
            EXIT_USAGE,
        )
    return LocalClient(resolve_official(as_).name, explicit=explicit, token=token)


def env_login() -> Login | None:
    """SPILNO_TOKEN (and SPILNO_ADMIN_URL for an installation over the network): for scripts,
    and for a token kept out of the config file. Never a flag: `ps` shows flags."""
    token = os.environ.get("SPILNO_TOKEN", "").strip()
    if not token:
        return None
    url = os.environ.get("SPILNO_ADMIN_URL", "").strip() or None
    from admin_cli.login_store import check_url

    return Login(url=check_url(url) if url else None, token=token)
