"""Meta Graph webhooks for the Facebook page and Instagram (one module, one route per row).

GET answers the subscription handshake (hub.mode=subscribe, hub.verify_token,
hub.challenge: the challenge is echoed as plain text). POST deliveries are signed with
the Meta app secret (X-Hub-Signature-256). Meta retries a delivery that is not answered
2xx, for up to 36 hours, and may batch many entries in one delivery.
"""

from __future__ import annotations

import hmac

from chalice import Blueprint, Response

from chalicelib.domain.channel_payloads.meta import parse_meta
from chalicelib.domain.channels import Channel
from chalicelib.domain.signatures import verify_meta
from chalicelib.handlers.channels.webhook import (
    channels_with_payload,
    json_payload,
    raw_body,
    receipt_response,
    register,
    require_signature,
    route_name,
)
from chalicelib.handlers.http import HttpProblem
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.channel_intake import receive
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)
OBJECT_BY_PAYLOAD = {"meta-page": "page", "meta-instagram": "instagram"}


def _handshake(channel: Channel):
    def answer_handshake() -> Response:
        query = bp.current_request.query_params or {}
        expected = channel_deps(default_deps()).config.verify_token(channel.id)
        given = query.get("hub.verify_token") or ""
        challenge = query.get("hub.challenge")
        if query.get("hub.mode") != "subscribe" or not challenge or len(challenge) > 1024:
            raise HttpProblem(400, "jabat_tangan_tidak_sah",
                              "Parameter hub.mode/hub.challenge tidak sah.",
                              "Invalid hub.mode/hub.challenge parameters.")
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise HttpProblem(403, "token_verifikasi_salah", "Token verifikasi salah.",
                              "Wrong verify token.")
        return Response(body=challenge, status_code=200,
                        headers={"Content-Type": "text/plain; charset=utf-8"})

    return answer_handshake


def _delivery(channel: Channel):
    def receive_meta_delivery() -> Response:
        request = bp.current_request
        body = raw_body(request)
        deps = default_deps()
        secret = channel_deps(deps).config.secret(channel.id)
        require_signature(verify_meta(secret, request.headers.get("x-hub-signature-256"), body),
                          channel)
        messages = parse_meta(json_payload(body), OBJECT_BY_PAYLOAD[channel.payload or ""])
        return receipt_response(receive(deps, channel, body, messages).summary())

    return receive_meta_delivery


for _channel in channels_with_payload(*OBJECT_BY_PAYLOAD):
    _path = f"/channels/{_channel.id}"
    register(bp, _path, ["GET"], route_name("handshake", _channel), _handshake(_channel))
    register(bp, _path, ["POST"], route_name("webhook", _channel), _delivery(_channel))
