"""Replies to citizens: bilingual, with ticket and link, within each medium's limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.replies import (
    MEDIA,
    ReplyAddress,
    acknowledgement,
    emergency_notice,
    fits,
    reply_messages,
    sms_segments,
    tracking_link,
    x_weighted_length,
)
from chalicelib.domain.sms import fits_one_sms
from chalicelib.domain.ticket import ALPHABET, new_ticket

TICKET = "K7Q4-M9XD"
TOKEN = "abcdefghijklmnopqrstuvwx"
LINK = tracking_link("https://crm.jakarta.go.id/", TICKET, TOKEN)


def test_the_tracking_link_is_the_lacak_page_with_the_token():
    assert f"https://crm.jakarta.go.id/lacak/{TICKET}?token={TOKEN}" == LINK


@pytest.mark.parametrize("medium", MEDIA)
def test_every_acknowledgement_has_ticket_link_both_languages_and_fits(medium):
    subject, text = acknowledgement(medium, TICKET, LINK)
    assert TICKET in text and LINK in text and fits(medium, text)
    if medium == "sms":
        assert sms_segments(text) == 1
    else:
        assert "Terima kasih" in text and "Thank you" in text
    assert (subject is not None) == (medium == "email")


@pytest.mark.parametrize("medium", MEDIA)
def test_every_emergency_notice_says_112_and_fits(medium):
    _, text = emergency_notice(medium, TICKET)
    assert "112" in text and TICKET in text and fits(medium, text)
    assert "DARURAT" in text.upper() and "EMERGENCY" in text.upper()


ticket_chars = st.text(alphabet=ALPHABET, min_size=8, max_size=8).map(
    lambda raw: f"{raw[:4]}-{raw[4:]}")


@given(ticket=ticket_chars,
       base=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-/:", max_size=200))
def test_an_sms_acknowledgement_is_always_one_segment_with_the_ticket(ticket, base):
    link = tracking_link("https://" + base, ticket, TOKEN)
    _, text = acknowledgement("sms", ticket, link)
    assert fits_one_sms(text) and sms_segments(text) == 1 and ticket in text


@given(base=st.text(alphabet="abcdefghijklmnopqrstuvwxyz.", min_size=1, max_size=300))
def test_a_reply_tweet_fits_whatever_the_public_url_because_links_count_23(base):
    _, text = acknowledgement("x-tweet", new_ticket(), f"https://{base}/lacak/X?token=Y")
    assert x_weighted_length(text) <= 280


@pytest.mark.parametrize("text, segments", [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("é" * 160, 1),  # é is in the GSM-7 basic set
    ("€" * 80, 1), ("€" * 81, 2),  # extension characters take two septets
    ("ā" * 70, 1), ("ā" * 71, 2), ("ā" * 134, 2), ("ā" * 135, 3),  # UCS-2
    ("😀" * 35, 1), ("😀" * 36, 2),  # a surrogate pair is two UCS-2 units
])
def test_segments_are_counted_as_the_network_counts_them(text, segments):
    assert sms_segments(text) == segments


def test_x_weighs_links_as_23_and_wide_characters_as_2():
    assert x_weighted_length("abc https://example.com/very/long/path?x=1") == 4 + 23
    assert x_weighted_length("日本") == 4


def test_reply_messages_put_the_112_notice_first_and_have_fixed_ids():
    address = ReplyAddress(medium="sms", values={"to": "+6281298765432"})
    plain = reply_messages("sms", address, TICKET, LINK, emergency=False)
    urgent = reply_messages("sms", address, TICKET, LINK, emergency=True)
    assert [reply_id for reply_id, _ in plain] == ["ack"]
    assert [reply_id for reply_id, _ in urgent] == ["112", "ack"]
    assert urgent[0][1].kind == "emergency" and urgent[0][1].address == {"to": "+6281298765432"}
