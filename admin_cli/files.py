"""Files officials name on the command line: read or written with one clear line on failure.

Every problem names the file and says what is wrong in the configured language; nothing here
lets an OSError or UnicodeDecodeError escape as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from admin_cli.context import EXIT_USAGE, CliError
from core.kernel.i18n import _

_CHUNK = 64 * 1024


def read_text(path: Path) -> str:
    """A UTF-8 text file (YAML campaigns)."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _cannot_read(path, _("it is not UTF-8 text; save it as UTF-8")) from None
    except OSError as error:
        raise _cannot_read(path, os_problem(error)) from None


def read_limited(path: Path, *, max_bytes: int, option: str) -> bytes:
    """A file of at most `max_bytes`, read in chunks: /dev/zero or a huge file stops early."""
    data = bytearray()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                data += chunk
                if len(data) > max_bytes:
                    raise CliError(
                        _("{option}: {path} is larger than {max} MB").format(
                            option=option, path=path, max=max_bytes // (1024 * 1024)
                        ),
                        EXIT_USAGE,
                    )
    except OSError as error:
        raise CliError(
            _("{option}: cannot read {path}: {problem}").format(
                option=option, path=path, problem=os_problem(error)
            ),
            EXIT_USAGE,
        ) from None
    return bytes(data)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise _cannot_write(path, error) from None


def open_for_writing(path: Path) -> TextIO:
    """A text file to stream rows into (UTF-8, newlines as written)."""
    try:
        return path.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise _cannot_write(path, error) from None


@contextlib.contextmanager
def writable_first(path: Path | None) -> Iterator[None]:
    """For an output made by an action (and audit-logged there) but written here: fail before
    the body runs if `path` cannot be written — no file, no log; if the body fails, leave no
    file it created (an existing one keeps its content until it is written). None: stdout."""
    if path is None:
        yield
        return
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as error:
        raise _cannot_write(path, error) from None
    try:
        yield
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise


def _cannot_write(path: Path, error: OSError) -> CliError:
    return CliError(
        _("cannot write {path}: {problem}").format(path=path, problem=os_problem(error)),
        EXIT_USAGE,
    )


def _cannot_read(path: Path, problem: str) -> CliError:
    return CliError(
        _("cannot read {path}: {problem}").format(path=path, problem=problem), EXIT_USAGE
    )


def os_problem(error: OSError) -> str:
    """What went wrong, in words (the OS's own text is English whatever the locale)."""
    match error.errno:
        case errno.ENOENT:
            return _("there is no such file or folder")
        case errno.EACCES | errno.EPERM:
            return _("permission denied")
        case errno.EISDIR:
            return _("it is a folder, not a file")
        case errno.ENOTDIR:
            return _("a part of the path is not a folder")
        case errno.ENOSPC:
            return _("the disk is full")
        case errno.EROFS:
            return _("the file system is read-only")
        case _:
            return error.strerror or type(error).__name__
