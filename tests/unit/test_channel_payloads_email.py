"""SES inbound mail: receipt verdicts, MIME text and photos, loops and forgeries."""

from __future__ import annotations

import pytest

from chalicelib.domain.channel_payloads.base import MalformedPayload
from chalicelib.domain.channel_payloads.ses_email import (
    carried_mail,
    email_message,
    html_to_text,
    ses_envelope,
)
from tests.channel_fixtures import JPEG, html_mail_with_photo, raw, ses_notification

OWN = frozenset({"dki@jakarta.go.id", "no-reply@jakarta.go.id"})


def read(mail: bytes, **options):
    envelope = ses_envelope(ses_notification(mail, **options))
    return envelope, email_message(carried_mail(envelope), envelope, own_addresses=OWN)


@pytest.mark.parametrize("encoding", ["BASE64", "UTF8"])
def test_a_plain_mail_becomes_a_complaint_answered_by_email(encoding):
    envelope, message = read(raw("mail_plain.eml"), encoding=encoding)
    assert envelope.message_id == message.external_id == "o3vrnil0e2ic28trm7dfhrc2v0c"
    text = message.fields["description"]
    assert text.startswith("Saluran air tersumbat di Jl. Kebon Sirih\n\nSelamat pagi,")
    assert "meluap ke jalan" in text and "dikutip" not in text  # quoted mail dropped
    assert message.fields["name"] == "Siti Rahma"
    assert message.fields["email"] == "siti.rahma@example.id"
    assert message.reply.medium == "email"
    assert message.reply.values == {
        "to": "siti.rahma@example.id", "subject": "Saluran air tersumbat di Jl. Kebon Sirih",
        "in_reply_to": "<CAB9x@mail.example.id>", "references": "<CAB9x@mail.example.id>"}


def test_an_html_mail_is_read_as_text_and_only_real_images_are_kept():
    _, message = read(html_mail_with_photo())
    assert message.fields["description"] == (
        "Jalan rusak di Jl. Salemba Raya\n\nJalan berlubang di depan kampus UI Salemba.\n\n"
        "Mohon segera diperbaiki & diberi tanda.")
    (photo,) = message.attachments  # the fake PNG and the PDF are not photos
    assert photo.content_type == "image/jpeg" and photo.content == JPEG


def test_html_to_text_skips_scripts_and_keeps_paragraphs_and_cells_apart():
    assert html_to_text("<script>alert(1)</script><p>a&nbsp;b</p><br>c<li>d</li>") == \
        "a b\n\nc\nd"
    assert html_to_text("<head><title>T</title></head><div>Halo<br>dunia</div>"
                        "<table><tr><td>x</td><td>y</td></tr></table>") == "Halo\ndunia\n\nx y"


@pytest.mark.parametrize("verdicts, reason", [
    ({"spam": "FAIL"}, "spam"), ({"virus": "FAIL"}, "virus"),
    ({"spam": "FAIL", "virus": "FAIL"}, "virus"),
])
def test_spam_and_viruses_are_never_reports(verdicts, reason):
    envelope = ses_envelope(ses_notification(raw("mail_plain.eml"), **verdicts))
    assert envelope.ignored == reason


@pytest.mark.parametrize("verdicts", [{"dmarc": "FAIL"}, {"spf": "FAIL", "dkim": "FAIL"}])
def test_a_possibly_forged_sender_is_filed_but_not_answered_or_kept(verdicts):
    _, message = read(raw("mail_plain.eml"), **verdicts)
    assert message.ignored is None and message.reply is None
    assert "email" not in message.fields


def test_one_failed_check_alone_does_not_make_a_forgery():
    _, message = read(raw("mail_plain.eml"), spf="FAIL", dkim="PASS")
    assert message.reply is not None


def test_auto_replies_and_our_own_mail_are_ignored():
    assert read(raw("mail_autoreply.eml"))[1].ignored == "automatic or bulk mail"
    ours = html_mail_with_photo(sender="CRM <no-reply@jakarta.go.id>")
    assert read(ours)[1].ignored == "automatic or bulk mail"
    daemon = html_mail_with_photo(sender="MAILER-DAEMON@example.id")
    assert read(daemon)[1].ignored == "automatic or bulk mail"


def test_an_empty_mail_has_nothing_to_report():
    mail = b"From: a@example.id\r\nTo: dki@jakarta.go.id\r\nSubject: \r\n\r\n\r\n"
    assert read(mail)[1].ignored == "no text"


def test_the_s3_variant_names_the_stored_object():
    envelope = ses_envelope(ses_notification(None, action="S3", bucket="ses-inbound",
                                             key="inbound/abc"))
    assert (envelope.action, envelope.bucket, envelope.object_key) == \
        ("S3", "ses-inbound", "inbound/abc")


def test_other_notifications_are_ignored():
    envelope = ses_envelope({"notificationType": "AmazonSnsSubscriptionSucceeded",
                             "message": "You have successfully subscribed"})
    assert envelope.ignored == "SES notification 'AmazonSnsSubscriptionSucceeded'"


@pytest.mark.parametrize("mutate", [
    lambda n: n.pop("mail"), lambda n: n["mail"].pop("messageId"),
    lambda n: n.pop("content"), lambda n: n["receipt"].pop("action"),
    lambda n: n["receipt"]["action"].update(type="Lambda"),
])
def test_malformed_notifications_are_refused(mutate):
    notification = ses_notification(raw("mail_plain.eml"))
    mutate(notification)
    with pytest.raises(MalformedPayload):
        ses_envelope(notification)


def test_bad_base64_content_is_refused():
    notification = ses_notification(raw("mail_plain.eml"))
    notification["content"] = "not base64!!"
    with pytest.raises(MalformedPayload):
        carried_mail(ses_envelope(notification))
