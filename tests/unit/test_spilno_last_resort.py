"""Whatever escapes `spilno` unforeseen is printed without the bot token."""

from __future__ import annotations

import pytest

import bot.__main__ as spilno
from core.kernel.redaction import MASK, register_secret

SECRET = "555555:LAST-resort-secret-RRRRRRRRRRRRRRRR"


def test_an_unexpected_traceback_is_printed_redacted(monkeypatch, capsys) -> None:
    register_secret(SECRET)

    def crash() -> None:
        raise RuntimeError(f"POST http://127.0.0.1:9/bot{SECRET}/setWebhook failed")

    monkeypatch.setattr(spilno, "cli", crash)
    with pytest.raises(SystemExit) as exit_:
        spilno.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 1
    assert SECRET not in err
    assert f"/bot{MASK}/setWebhook" in err and "Traceback" in err
