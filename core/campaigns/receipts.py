"""Receipts: a short code a voter gets after each change of their vote, printed in the same
ballot's row of the open data (`ballots.csv`), so they can see their ballot was counted as cast.

Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 10^11 codes, so
one poll's receipts do not collide in practice, and one cannot be guessed from another. A new
code on every change: only the final ballot's code is in the export, so an earlier code, shown
to someone else, proves nothing about the final vote.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 8


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_LENGTH))


def is_receipt(text: str) -> bool:
    return len(text) == RECEIPT_LENGTH and all(c in ALPHABET for c in text)
