"""The outbox: what SES and SNS would have delivered, captured in the moto process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from infra.local.aws_process import AwsProcess
from infra.local.config import REGION
from infra.local.local_api import LocalApi
from infra.local.outbox import format_line, read_outbox
from infra.local.preflight import free_port
from infra.local.resources import AwsClients
from infra.local.scheduler import Scheduler

SENDER = "no-reply@jakarta.go.id"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AwsClients, Path]]:
    data_dir = tmp_path_factory.mktemp("outbox")
    with AwsProcess("127.0.0.1", free_port(), data_dir) as process:
        aws = AwsClients(process.endpoint, REGION)
        aws.client("ses").verify_email_identity(EmailAddress=SENDER)
        yield aws, data_dir


def outbox_to(data_dir: Path, to: str) -> list[dict]:
    return read_outbox(data_dir, to=to)


def test_ses_send_email_gives_one_message_per_recipient(stack: tuple[AwsClients, Path]) -> None:
    aws, data_dir = stack
    aws.client("ses").send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["pelapor@example.id"], "CcAddresses": ["camat@example.id"]},
        Message={"Subject": {"Data": "Laporan KKPF-NCVW diterima"},
                 "Body": {"Text": {"Data": "Terima kasih."}}})
    (to,) = outbox_to(data_dir, "pelapor@example.id")
    (cc,) = outbox_to(data_dir, "CAMAT@example.id")  # addresses match case-insensitively
    assert to["channel"] == "email" and to["source"] == "ses"
    assert to["subject"] == "Laporan KKPF-NCVW diterima"
    assert to["body"] == "Terima kasih."
    assert to["at"].endswith("Z") and to["id"] != cc["id"]


def test_ses_raw_and_v2_emails(stack: tuple[AwsClients, Path]) -> None:
    aws, data_dir = stack
    mime = MIMEMultipart("alternative")
    mime["Subject"], mime["From"], mime["To"] = "Foto tindak lanjut", SENDER, "raw@example.id"
    mime.attach(MIMEText("Sudah diperbaiki.", "plain"))
    mime.attach(MIMEText("<p>Sudah diperbaiki.</p>", "html"))
    aws.client("ses").send_raw_email(RawMessage={"Data": mime.as_string()})
    aws.client("sesv2").send_email(
        FromEmailAddress=SENDER, Destination={"ToAddresses": ["v2@example.id"]},
        Content={"Simple": {"Subject": {"Data": "Lewat v2"}, "Body": {"Text": {"Data": "OK"}}}})

    (raw,) = outbox_to(data_dir, "raw@example.id")
    assert (raw["subject"], raw["body"].strip()) == ("Foto tindak lanjut", "Sudah diperbaiki.")
    (v2,) = outbox_to(data_dir, "v2@example.id")
    assert (v2["subject"], v2["body"], v2["source"]) == ("Lewat v2", "OK", "ses")


def test_a_rejected_send_leaves_no_trace(stack: tuple[AwsClients, Path]) -> None:
    aws, data_dir = stack
    with pytest.raises(ClientError, match="not verified"):
        aws.client("ses").send_email(
            Source="stranger@example.id", Destination={"ToAddresses": ["nobody@example.id"]},
            Message={"Subject": {"Data": "x"}, "Body": {"Text": {"Data": "x"}}})
    assert outbox_to(data_dir, "nobody@example.id") == []


def test_sns_topic_is_expanded_per_subscription_with_filter_policies(
        stack: tuple[AwsClients, Path]) -> None:
    aws, data_dir = stack
    sns = aws.client("sns")
    topic = sns.create_topic(Name="unit-31-71-01-1001")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="lurah@example.go.id")
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+628111000001")
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="robot@example.go.id")
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="urgent-only@example.go.id",
                  Attributes={"FilterPolicy": json.dumps({"severity": ["breach"]})})

    sns.publish(TopicArn=topic, Subject="Laporan baru", Message="KKPF-NCVW: jalan berlubang",
                MessageAttributes={"severity": {"DataType": "String", "StringValue": "new"}})

    (mail,) = outbox_to(data_dir, "lurah@example.go.id")
    assert (mail["channel"], mail["subject"], mail["body"], mail["source"]) == (
        "email", "Laporan baru", "KKPF-NCVW: jalan berlubang", topic)
    (sms,) = outbox_to(data_dir, "+628111000001")
    assert (sms["channel"], sms["body"], sms["subject"]) == (
        "sms", "KKPF-NCVW: jalan berlubang", None)
    (robot,) = outbox_to(data_dir, "robot@example.go.id")
    notification = json.loads(robot["body"])
    assert notification["Type"] == "Notification" and notification["TopicArn"] == topic
    assert notification["Message"] == "KKPF-NCVW: jalan berlubang"
    assert notification["MessageAttributes"]["severity"]["Value"] == "new"
    assert outbox_to(data_dir, "urgent-only@example.go.id") == []  # filtered out

    sns.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps(
        {"default": "Batas waktu terlewati", "sms": "SLA!"}),
        MessageAttributes={"severity": {"DataType": "String", "StringValue": "breach"}})
    assert [m["body"] for m in outbox_to(data_dir, "+628111000001")][-1] == "SLA!"
    (urgent,) = outbox_to(data_dir, "urgent-only@example.go.id")
    assert urgent["body"] == "Batas waktu terlewati"
    assert urgent["subject"] == "AWS Notification Message"  # SNS's default subject


def test_sms_to_a_phone_number_and_the_local_api_filter(stack: tuple[AwsClients, Path]) -> None:
    aws, data_dir = stack
    aws.client("sns").publish(PhoneNumber="+6281234567890", Message="Laporan Anda selesai.")
    api = LocalApi(Scheduler([], REGION, "123456789012"), data_dir, status=dict)

    status, body = api.handle("GET", "/_local/outbox", {"to": ["+6281234567890"]})
    assert status == 200
    (sms,) = body["messages"]
    assert (sms["channel"], sms["source"], sms["body"]) == ("sms", "sns", "Laporan Anda selesai.")
    assert set(sms) == {"id", "at", "channel", "to", "subject", "body", "source"}
    assert format_line(sms) == "[outbox] sms   to +6281234567890: Laporan Anda selesai.  (sns)"

    _, everything = api.handle("GET", "/_local/outbox", {})
    assert len(everything["messages"]) > 1
    _, only_sms = api.handle("GET", "/_local/outbox", {"channel": ["sms"]})
    assert {m["channel"] for m in only_sms["messages"]} == {"sms"}
