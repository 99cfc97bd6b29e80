"""Refresh the catalogs after changing user-facing strings: `python locales/sync.py`.

Extracts msgids from core/, bot/ and admin_cli/ into messages.pot, then updates each
core/locales/<lang>/LC_MESSAGES/messages.po (inside the package, so every install carries it):
English msgids are the source text, so `en` is filled from them; `uk` keeps its
translations and gets new, empty entries to translate (the i18n test fails until they are).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent
ROOT = LOCALES.parent
POT = LOCALES / "messages.pot"
CATALOGS = ROOT / "core" / "locales"


def extract() -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(LOCALES / "babel.cfg"),
            "-o",
            str(POT),
            "--no-location",
            "--sort-output",
            "--project=spilno",
            "--copyright-holder=Spilno",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "core",
            "bot",
            "admin_cli",
        ],
        check=True,
        cwd=ROOT,
    )


def update(locale: str) -> None:
    with POT.open("rb") as f:
        template = read_po(f)
    po_path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    if po_path.exists():
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=locale)
    else:
        po_path.parent.mkdir(parents=True, exist_ok=True)
        catalog = read_po(POT.open("rb"), locale=locale)
    catalog.update(template, no_fuzzy_matching=True)
    if locale == "en":
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.id, str):
                message.string = message.string or message.id
            elif not any(message.string):
                message.string = (message.id[0], message.id[1])
    catalog.obsolete.clear()
    with po_path.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, no_location=True, width=100)


if __name__ == "__main__":
    extract()
    for code in ("uk", "en"):
        update(code)
