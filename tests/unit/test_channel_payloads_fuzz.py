"""Whatever a platform (or an attacker holding no secret but a replayed body) sends, an
adapter either reads it or refuses it with MalformedPayload (HTTP 400): never a crash (500).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.meta import parse_meta
from chalicelib.domain.channel_payloads.partner import parse_partner
from chalicelib.domain.channel_payloads.ses_email import carried_mail, email_message, ses_envelope
from chalicelib.domain.channel_payloads.sms import parse_sms
from chalicelib.domain.channel_payloads.x import parse_x
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.intake import parse_intake
from chalicelib.registry import registry
from tests.channel_fixtures import load, raw, ses_notification

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=12)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


def _replace(document: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return document


FIXTURES = {
    "partner": (load("partner_report.json"), parse_partner),
    "x-mention": (load("x_tweet_mention.json"), parse_x),
    "x-dm": (load("x_direct_message.json"), parse_x),
    "fb-comment": (load("fb_feed_comment.json"), lambda p: parse_meta(p, "page")),
    "fb-message": (load("fb_messenger.json"), lambda p: parse_meta(p, "page")),
    "fb-receipts": (load("fb_delivery.json"), lambda p: parse_meta(p, "page")),
    "ig-comment": (load("ig_comment.json"), lambda p: parse_meta(p, "instagram")),
    "ig-mention": (load("ig_mention.json"), lambda p: parse_meta(p, "instagram")),
    "sms": (load("sms_inbound.json"), parse_sms),
    "ses": (ses_notification(raw("mail_plain.eml")), ses_envelope),
}


def _read_or_refuse(parse, payload: Any) -> None:
    try:
        parse(payload)
    except MalformedPayload as refused:
        assert refused.problems and refused.message_id and refused.message_en


@pytest.mark.parametrize("name", sorted(FIXTURES))
@settings(max_examples=75, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), new=json_values)
def test_any_part_of_a_documented_payload_may_be_wrong(name, data, new):
    fixture, parse = FIXTURES[name]
    path = data.draw(st.sampled_from(_paths(fixture)))
    _read_or_refuse(parse, _replace(fixture, path, new))


@given(payload=json_values)
def test_any_json_at_all_is_read_or_refused(payload):
    for _, parse in FIXTURES.values():
        _read_or_refuse(parse, payload)


@given(mail=st.binary(max_size=400))
def test_any_bytes_as_a_mail_are_read_or_ignored(mail):
    envelope = ses_envelope(ses_notification(mail))
    email_message(carried_mail(envelope), envelope)


@settings(max_examples=75)
@given(data=st.data(), new=json_values)
def test_partner_fields_reach_the_intake_rules_as_a_400_at_worst(data, new):
    fixture = load("partner_report.json")
    payload = _replace(fixture, data.draw(st.sampled_from(_paths(fixture))), new)
    reg = registry()
    try:
        message = parse_partner(payload)
        parse_intake(message.fields, channel="jaki", wilayah=reg.wilayah,
                     categories=reg.categories)
    except ValidationFailed as refused:  # MalformedPayload is one too
        assert refused.problems
