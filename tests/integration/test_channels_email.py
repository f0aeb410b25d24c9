"""Email: SES receipt notifications on SNS, archived MIME, photos, threaded replies."""

from __future__ import annotations

import email
import email.policy
import json
import logging

import boto3

from app import app
from tests.channel_fixtures import JPEG, html_mail_with_photo, raw, ses_notification
from tests.integration import channels_support, sent
from tests.integration.channels_support import archived, outbox, pump

# The shared fixtures (a strict `responses` mock, the app's test client)
channel_client = channels_support.channel_client
http = channels_support.http


MAIL = raw("mail_plain.eml")


def notify(client, notification):
    message = notification if isinstance(notification, str) else json.dumps(notification)
    event = client.events.generate_sns_event(message=message, subject="Amazon SES Email Receipt")
    return client.lambda_.invoke("inbound_email", event).payload


def replies():
    """(to, parsed message) of every raw email SES sent."""
    return [(m.destinations, email.message_from_string(m.raw_data, policy=email.policy.default))
            for m in sent.emails_sent() if hasattr(m, "raw_data")]


def test_the_function_listens_on_the_stages_inbound_email_topic():
    (source,) = [s for s in app.event_sources if getattr(s, "name", "") == "inbound_email"]
    assert source.topic == "crm-test-inbound-email"


def test_a_mail_is_filed_archived_as_received_and_answered_in_its_thread(channel_client, deps):
    answer = notify(channel_client, ses_notification(MAIL))
    (filed,) = answer["filed"]
    assert archived() == {"raw/email/2026/11/28/o3vrnil0e2ic28trm7dfhrc2v0c.eml": MAIL}
    report = deps.store.load(filed["ticket"]).report
    assert report.description.startswith("Saluran air tersumbat di Jl. Kebon Sirih")
    assert report.reporter.email == "siti.rahma@example.id"
    pump(channel_client)
    ((to, reply),) = [r for r in replies() if "Re:" in r[1]["subject"]]
    assert to == ["siti.rahma@example.id"]
    assert reply["In-Reply-To"] == "<CAB9x@mail.example.id>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert filed["ticket"] in reply["subject"] and f"/lacak/{filed['ticket']}" in \
        reply.get_content()
    assert outbox(deps, filed["ticket"])["ack"].status == "sent"


def test_image_attachments_become_report_photos(channel_client, deps):
    answer = notify(channel_client, ses_notification(html_mail_with_photo(),
                                                     message_id="html-mail-1"))
    ticket = answer["filed"][0]["ticket"]
    (photo,) = deps.store.load(ticket).report.photos
    assert photo.kind == "citizen" and photo.key.startswith(f"reports/{ticket}/citizen-")
    assert archived(photo.key) == {photo.key: JPEG}


def test_the_s3_stored_variant_is_read_from_ses_bucket(channel_client, deps):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="crm-test-ses-inbound",
                     CreateBucketConfiguration={"LocationConstraint": deps.settings.region})
    s3.put_object(Bucket="crm-test-ses-inbound", Key="inbound/big-1", Body=MAIL)
    answer = notify(channel_client, ses_notification(None, message_id="big-1", action="S3",
                                                     bucket="crm-test-ses-inbound",
                                                     key="inbound/big-1"))
    assert answer["filed"][0]["created"]
    assert archived() == {"raw/email/2026/11/28/big-1.eml": MAIL}


def test_a_redelivered_notification_files_nothing_new(channel_client, deps):
    first = notify(channel_client, ses_notification(MAIL))["filed"][0]
    again = notify(channel_client, ses_notification(MAIL))["filed"][0]
    assert again == {**first, "created": False}


def test_spam_and_viruses_are_logged_not_filed(channel_client, deps, caplog):
    with caplog.at_level(logging.WARNING, logger="crm.channels.email"):
        assert notify(channel_client, ses_notification(MAIL, spam="FAIL"))["ignored"] == "spam"
        assert notify(channel_client, ses_notification(MAIL, virus="FAIL"))["ignored"] == "virus"
    assert "spam" in caplog.text and "virus" in caplog.text
    assert deps.store.ticket_for("email", "o3vrnil0e2ic28trm7dfhrc2v0c") is None
    assert archived() == {}


def test_a_possibly_forged_sender_is_filed_but_never_answered(channel_client, deps):
    ticket = notify(channel_client, ses_notification(MAIL, dmarc="FAIL"))["filed"][0]["ticket"]
    assert deps.store.load(ticket).report.reporter.email is None
    assert outbox(deps, ticket) == {}


def test_auto_replies_are_ignored_and_malformed_notifications_logged(channel_client, caplog):
    auto = notify(channel_client, ses_notification(raw("mail_autoreply.eml")))
    assert auto["filed"] == [] and auto["ignored"][0]["ignored"] == "automatic or bulk mail"
    with caplog.at_level(logging.ERROR, logger="crm.channels.email"):
        assert notify(channel_client, "{not json")["ignored"] == "malformed notification"
        broken = ses_notification(MAIL)
        del broken["mail"]
        assert notify(channel_client, broken)["ignored"] == "malformed notification"
    assert caplog.text.count("rejected") == 2
    assert archived() == {}


def test_an_emergency_mail_gets_a_112_reply_too(channel_client, deps):
    mail = html_mail_with_photo(subject="Tolong, ada kecelakaan di Jl. Salemba",
                                sender="Rudi <rudi@example.id>")
    ticket = notify(channel_client, ses_notification(mail, message_id="urgent-1"))["filed"][0][
        "ticket"]
    pump(channel_client)
    subjects = [m["subject"] for to, m in replies() if to == ["rudi@example.id"]]
    assert any("112" in s for s in subjects) and any(ticket in s for s in subjects)
