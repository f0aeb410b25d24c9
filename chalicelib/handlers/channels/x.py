"""X Account Activity API webhook: GET answers the CRC challenge, POST takes deliveries.

X signs every delivery with the app's consumer secret (x-twitter-webhooks-signature) and
re-checks the webhook with a CRC GET every hour and at registration; a webhook that fails
the CRC is disabled by X.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.channel_payloads.x import parse_x
from chalicelib.domain.channels import Channel
from chalicelib.domain.signatures import verify_x, x_crc_response
from chalicelib.handlers.channels.webhook import (
    channels_with_payload,
    json_payload,
    raw_body,
    receipt_response,
    register,
    require_signature,
    route_name,
)
from chalicelib.handlers.http import HttpProblem, json_response
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.channel_intake import receive
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)


def _crc(channel: Channel):
    def answer_crc() -> Response:
        token = (bp.current_request.query_params or {}).get("crc_token")
        if not token or len(token) > 1024:
            raise HttpProblem(400, "crc_token_tidak_ada", "Parameter 'crc_token' wajib diisi.",
                              "The 'crc_token' parameter is required.", "crc_token")
        secret = channel_deps(default_deps()).config.secret(channel.id)
        return json_response({"response_token": x_crc_response(secret, token)})

    return answer_crc


def _delivery(channel: Channel):
    def receive_x_delivery() -> Response:
        request = bp.current_request
        body = raw_body(request)
        deps = default_deps()
        secret = channel_deps(deps).config.secret(channel.id)
        require_signature(verify_x(secret, request.headers.get("x-twitter-webhooks-signature"),
                                   body), channel)
        messages = parse_x(json_payload(body))
        return receipt_response(receive(deps, channel, body, messages).summary())

    return receive_x_delivery


for _channel in channels_with_payload("x"):
    _path = f"/channels/{_channel.id}"
    register(bp, _path, ["GET"], route_name("crc", _channel), _crc(_channel))
    register(bp, _path, ["POST"], route_name("webhook", _channel), _delivery(_channel))
