"""Status updates to partner systems (JAKI, LAPOR!): a signed POST to their callback URL.

Signed like the partner's own deliveries to us (X-CRM-Key-Id, X-CRM-Timestamp,
X-CRM-Signature = sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">), with the timestamp
of the moment of sending so the partner's 5-minute window holds for retried updates too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import requests

from chalicelib.adapters.senders.base import NotConfiguredError, json_of, post_json
from chalicelib.domain.replies import Outgoing
from chalicelib.domain.signatures import partner_signature


class PartnerSender:
    def __init__(self, callback_url: Callable[[str], str | None],
                 secret: Callable[[str], bytes], key_id: Callable[[str], str],
                 session: requests.Session, now: Callable[[], float] = time.time) -> None:
        self._url, self._secret, self._key_id = callback_url, secret, key_id
        self._session, self._now = session, now

    def send(self, message: Outgoing) -> str:
        url = self._url(message.channel)
        if not url:
            raise NotConfiguredError(f"no status callback for partner {message.channel!r} "
                                     "(CRM_CALLBACK_URL_<CHANNEL>)")
        body = json.dumps(message.body, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(self._now()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-CRM-Key-Id": self._key_id(message.channel),
            "X-CRM-Timestamp": stamp,
            "X-CRM-Signature": partner_signature(self._secret(message.channel), stamp, body),
        }
        response = post_json(self._session, url, None, data=body, headers=headers)
        return str(json_of(response).get("id") or response.status_code)
