"""Hide phone numbers and email addresses inside free text that leaves the reporter's
hands: public answers (Open311) and log lines. A citizen often types their number into
the description ("hubungi saya 0812..."); the structured contact fields are handled
elsewhere and never published.

Patterns, not a full parser, on purpose: they run on every log line. Phone numbers are
Indonesian ones as people write them (0812-3456-7890, +62 812 3456 7890, 62812...,
021 345 6789) with spaces, dots or dashes between digits.
"""

from __future__ import annotations

import re

HIDDEN = "[kontak disembunyikan]"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w+])(?:\+62|62|0)[\s.-]?\d(?:[\s.-]?\d){7,11}(?!\w)")


def mask_contacts(text: str) -> str:
    """`text` with every email address and phone number replaced by HIDDEN."""
    if not text:
        return text
    return _PHONE.sub(HIDDEN, _EMAIL.sub(HIDDEN, text))
