"""SMS length rules: one message is 160 GSM-7 characters, or 70 when any character needs UCS-2.

Alerts to units must fit one segment (each extra segment is paid per recipient).
"""

from __future__ import annotations

# GSM 03.38 basic character set; the extension table's characters count double.
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7_BASIC or c in _GSM7_EXTENDED for c in text)


def sms_units(text: str) -> int:
    """Length as the network counts it: GSM-7 septets, or UCS-2 code units."""
    if is_gsm7(text):
        return sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
    return len(text.encode("utf-16-le")) // 2


def single_segment_limit(text: str) -> int:
    return 160 if is_gsm7(text) else 70


def fits_one_sms(text: str) -> bool:
    return sms_units(text) <= single_segment_limit(text)


def fit_one_sms(text: str) -> str:
    """`text`, shortened with an ellipsis ("..") if needed so it fits one segment."""
    if fits_one_sms(text):
        return text
    while text and not fits_one_sms(text + ".."):
        text = text[:-1]
    return text.rstrip() + ".."
