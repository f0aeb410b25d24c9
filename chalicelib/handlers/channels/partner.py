"""Partner systems (JAKI, LAPOR! and any row of kind partner): POST /channels/<id>.

Signed with the partner's secret (X-CRM-Key-Id, X-CRM-Timestamp, X-CRM-Signature);
answered 201 with the new ticket, 200 with the same ticket for a redelivery. Later status
changes go back to the partner through the outbox (services/channel_outbox.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.channel_payloads.partner import parse_partner
from chalicelib.domain.channels import Channel
from chalicelib.domain.replies import emergency_notice_for_partner
from chalicelib.domain.signatures import verify_partner
from chalicelib.handlers.channels.webhook import (
    channels_with_payload,
    json_payload,
    raw_body,
    register,
    require_signature,
    route_name,
)
from chalicelib.handlers.http import json_response
from chalicelib.services.channel_deps import channel_deps
from chalicelib.services.channel_intake import receive
from chalicelib.services.deps import default_deps

bp = Blueprint(__name__)


def _view(channel: Channel):
    def receive_partner_report() -> Response:
        request = bp.current_request
        body = raw_body(request)
        deps = default_deps()
        config = channel_deps(deps).config
        headers = request.headers
        require_signature(verify_partner(
            config.secret(channel.id), key_id=headers.get("x-crm-key-id"),
            expected_key_id=config.partner_key_id(channel.id),
            timestamp=headers.get("x-crm-timestamp"),
            signature=headers.get("x-crm-signature"), body=body,
            now=deps.clock().timestamp()), channel)
        message = parse_partner(json_payload(body))
        (outcome,) = receive(deps, channel, body, [message], strict=True).outcomes
        answer = {"ticket": outcome.ticket, "tracking_token": outcome.tracking_token,
                  "status": outcome.status}
        if outcome.emergency:
            answer["emergency_notice"] = emergency_notice_for_partner()
        return json_response(answer, 201 if outcome.created else 200)

    return receive_partner_report


for _channel in channels_with_payload("partner"):
    register(bp, f"/channels/{_channel.id}", ["POST"], route_name("partner", _channel),
             _view(_channel))
