"""Ticket numbers citizens can read over the phone.

Eight characters from Crockford's base32 alphabet (no I, L, O or U, so nothing
looks alike), shown as two groups of four: `K7Q4-M9XD`. Seven characters are
random (35 bits, 34 billion numbers); the eighth is a Luhn mod 32 check character,
so a single mistyped character or a swap of two neighbours is caught before any
lookup (Luhn mod N's one blind spot: swapping neighbouring 0 and Z). Uniqueness
is enforced by the store (a conditional write); on the rare collision the caller
draws again.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's decoding rules for characters people confuse.
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_LENGTH = 7


def _check_character(body: str) -> str:
    """Luhn mod N (N = 32) over the body, computed right to left."""
    total = 0
    factor = 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        addend = addend // 32 + addend % 32
        total += addend
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def new_ticket(randbelow=secrets.randbelow) -> str:
    body = "".join(ALPHABET[randbelow(32)] for _ in range(RANDOM_LENGTH))
    raw = body + _check_character(body)
    return f"{raw[:4]}-{raw[4:]}"


def normalise_ticket(text: str) -> str | None:
    """The canonical `XXXX-XXXX` form of what a person typed, or None if it is not a ticket."""
    raw = "".join(text.split()).replace("-", "").upper().translate(_ALIASES)
    if len(raw) != RANDOM_LENGTH + 1 or any(c not in _VALUE for c in raw):
        return None
    if _check_character(raw[:-1]) != raw[-1]:
        return None
    return f"{raw[:4]}-{raw[4:]}"
