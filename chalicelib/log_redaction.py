"""Every log record, from our code or a library, with contacts masked before any handler
sees it: reporter contact must never reach CloudWatch Logs, and AWS error messages quote
addresses ("Email address is not verified: warga@..."), tracebacks included.

Installed once per process (app.py) as the log record factory, so it covers the Lambda
runtime's handler, the local stack's and pytest's alike. It masks the app's own loggers
(`crm`, Chalice's app logger, and `crm.*`) and any record carrying an exception.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from chalicelib.domain.contact_mask import mask_contacts

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        name = record.name or ""  # logging.makeLogRecord() makes records without one
        if not (name == "crm" or name.startswith("crm.") or record.exc_info):
            # Other libraries' lines (the local server's access log, botocore's INFO) carry
            # no reporter contact unless they carry an exception, which is masked below.
            return record
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what was meant, masked
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = mask_contacts(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = mask_contacts(
                "".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    logging.setLogRecordFactory(redacted)
    _installed = True
