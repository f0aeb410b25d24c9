"""Contacts typed into free text are hidden in public answers and log lines."""

from __future__ import annotations

import logging

import pytest

from chalicelib import log_redaction
from chalicelib.domain.contact_mask import HIDDEN, mask_contacts


@pytest.mark.parametrize("text", [
    "hubungi saya 0812-3456-7890 ya", "WA +62 812 3456 7890", "6281234567890",
    "telp (kantor) 021 345 6789", "0812.3456.789", "email Siti.R+crm@mail.example.co.id",
])
def test_contacts_are_hidden(text):
    masked = mask_contacts(text)
    assert HIDDEN in masked
    assert "3456" not in masked and "@" not in masked


@pytest.mark.parametrize("text", [
    "Lampu mati di RT 05 RW 03 no. 12 sejak 3 hari", "tiket K7Q4-M9XD", "jam 19.30 WIB",
    "koordinat -6.1754, 106.8272", "2026-11-28 lubang 30 cm", "",
])
def test_ordinary_text_is_left_alone(text):
    assert mask_contacts(text) == text


class Collected(logging.Handler):
    """Lines a logger's own handler writes. Chalice's app logger `crm` does not propagate
    to the root logger (where caplog listens) once app.py is imported in this process."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def crm_log():
    log_redaction.install()
    log, collected = logging.getLogger("crm.test"), Collected()
    log.setLevel(logging.INFO)
    log.addHandler(collected)
    yield log, collected
    log.removeHandler(collected)


def test_log_records_are_masked_message_and_traceback(crm_log):
    log, collected = crm_log
    try:
        raise RuntimeError("Email address is not verified: warga@example.id 0812-1111-2222")
    except RuntimeError:
        log.exception("kirim ke %s gagal", "warga@example.id")
    log.info("nomor %s", "+6281211112222")
    text = "\n".join(collected.lines)
    assert "warga@example.id" not in text and "1111" not in text and "+62812" not in text
    assert text.count(HIDDEN) >= 4 and "RuntimeError" in text  # the traceback is kept


@pytest.mark.parametrize("text", ["(021) 3456789", "(0812) 3456 7890", "0812 - 3456 - 7890",
                                  "0062 812 3456 7890", "+62 (21) 345 6789"])
def test_numbers_written_with_brackets_and_spaced_dashes_are_hidden(text):
    masked = mask_contacts(f"telp {text} ya")
    assert masked == f"telp {HIDDEN} ya", masked


def test_a_long_blob_is_masked_in_linear_time():
    import time

    blob = "A" * 200_000 + " warga@example.id"
    started = time.perf_counter()
    masked = mask_contacts(blob)
    assert time.perf_counter() - started < 2  # quadratic matching took minutes here
    assert masked.endswith(HIDDEN)


def test_odd_records_neither_break_logging_nor_leak(crm_log):
    log, collected = crm_log
    logging.makeLogRecord({"msg": "x"})  # no name: must not raise
    log.info("%s dan %s", "warga@example.id")  # one argument short
    text = "\n".join(collected.lines)
    assert "warga@example.id" not in text and HIDDEN in text
