"""Reporter contact never leaves where it belongs, and is removed after the retention period."""

from __future__ import annotations

import json
import logging

from chalice.test import Client

from app import app
from chalicelib.cli import main as crm
from chalicelib.services.privacy import anonymise_older_than
from tests.integration.streams import drain_stream_event

CONTACT = {"name": "Rahmawati Siregar", "phone": "0812-7777-6543", "email": "rahma@example.id"}


def file(client, **extra):
    return json.loads(client.http.post(
        "/channels/balai-warga", headers={"Content-Type": "application/json"},
        body=json.dumps({"description": "Sampah menumpuk", "kelurahan_code": "31.71.01.1001",
                         **CONTACT, **extra})).body)


def test_old_reports_lose_reporter_and_follower_contact_and_keep_the_rest(deps, clock):
    with Client(app) as client:
        old = file(client)
        client.http.post(f"/reports/{old['ticket']}/support", body=json.dumps(
            {"phone": "0813-1111-2222"}), headers={"Content-Type": "application/json"})
        clock.advance(days=800)
        recent = file(client)
        result = anonymise_older_than(deps, days=730)
        assert result == {"reports": 1, "followers": 1}
        report = deps.store.load(old["ticket"]).report
        assert (report.reporter.name, report.reporter.phone, report.reporter.email) == (
            None, None, None)
        assert report.description == "Sampah menumpuk" and report.supporter_count == 1
        assert deps.store.followers(old["ticket"]) == []
        assert deps.store.load(recent["ticket"]).report.reporter.phone == "+6281277776543"
        assert anonymise_older_than(deps, days=730) == {"reports": 0, "followers": 0}


def test_the_cli_runs_the_retention_job(deps, capsys):
    assert crm(["anonymise", "--older-than-days", "30"]) == 0
    assert "anonymised 0 reports" in capsys.readouterr().out


def test_contact_appears_in_no_log_line(deps, caplog):
    # Our own loggers at their most verbose; the AWS SDKs at INFO, as deployed (at DEBUG
    # botocore and PynamoDB print request bodies, so production must never run them so).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="crm")
    with Client(app) as client:
        file(client)
        client.lambda_.invoke("route_reports", drain_stream_event())
    text = caplog.text
    for private in ("Rahmawati", "77776543", "rahma@example.id"):
        assert private not in text
