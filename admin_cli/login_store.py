"""Where `spilno-admin login` keeps an official's token: their own config directory, a file
only they can read (mode 0600, written so that it never exists with wider permissions).

`login.json` holds the installation's URL (none: this computer's database) and the token.
SPILNO_ADMIN_CONFIG_DIR moves it (tests, several installations side by side).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from admin_cli.context import EXIT_USAGE, CliError
from core.kernel.i18n import _

FILE_NAME = "login.json"


@dataclass(frozen=True, slots=True)
class Login:
    url: str | None  # https://spilno.example.city, or None for this computer's database
    token: str


def config_dir() -> Path:
    explicit = os.environ.get("SPILNO_ADMIN_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    import typer

    return Path(typer.get_app_dir("spilno"))


def login_file() -> Path:
    return config_dir() / FILE_NAME


def stored_login() -> Login | None:
    path = login_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url, token = data.get("url"), data["token"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise CliError(
            _("{path} is damaged: run spilno-admin logout, then log in again").format(path=path)
        ) from None
    if not isinstance(token, str) or not (url is None or isinstance(url, str)):
        raise CliError(
            _("{path} is damaged: run spilno-admin logout, then log in again").format(path=path)
        )
    return Login(url=url, token=token)


def save_login(login: Login) -> Path:
    """Written to a new file created 0600, then renamed over the old one."""
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        json.dump({"url": login.url, "token": login.token}, stream)
    os.replace(temporary, path)
    return path


def forget_login() -> bool:
    try:
        login_file().unlink()
    except FileNotFoundError:
        return False
    return True


def check_url(value: str) -> str:
    """An installation's address: https, or http to this computer only (a token sent in clear
    over a network could be read on the way)."""
    url = value.strip().rstrip("/")
    for suffix in ("/admin/api", "/admin"):  # an official may paste the API's own address
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(
            _("{url} is not an address like https://spilno.example.city").format(url=value),
            EXIT_USAGE,
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise CliError(
            _("{url}: use https:// — a token sent over plain http could be read on the way").format(
                url=value
            ),
            EXIT_USAGE,
        )
    return url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
