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
# Anchored at the start of the local part and bounded (RFC 5321: at most 64 characters):
# an unanchored `[...]+@` retries from every position of a long run of such characters
# (a base64 blob in a traceback) and takes quadratic time.
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}"
                    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}")
# A prefix (+62, 0062, 62 or 0, maybe in brackets), then 8 to 12 digits with spaces, dots,
# dashes or brackets between them: 0812-3456-7890, (021) 3456789, +62 (21) 345 6789.
_PHONE = re.compile(r"(?<![\w+])\(?(?:\+62|0062|62|0)\)?[\s.-]*"
                    r"\(?\d(?:\)?[\s.-]{0,3}\(?\d){7,11}(?!\w)")


def mask_contacts(text: str) -> str:
    """`text` with every email address and phone number replaced by HIDDEN."""
    if not text:
        return text
    return _PHONE.sub(HIDDEN, _EMAIL.sub(HIDDEN, text))
