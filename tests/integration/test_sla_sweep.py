"""The SLA sweep against moto, with a clock the test moves."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.report import apply_action
from chalicelib.domain.status import Action
from chalicelib.services.sla_sweep import sweep
from tests.integration import sent
from tests.integration.streams import drain_stream_event

GAMBIR = {"description": "Saluran tersumbat", "category": "saluran-air",
          "kelurahan_code": "31.71.01.1001"}


@pytest.fixture
def client(subscribed, app_client):
    return app_client


class Stream:
    """Feeds the table's stream to the stream handler, as Lambda would."""

    def __init__(self, client):
        self.client, self.last = client, None

    def pump(self):
        while True:
            event = drain_stream_event(self.last)
            if not event["Records"]:
                return
            result = self.client.lambda_.invoke("route_reports", event).payload
            assert result == {"batchItemFailures": []}
            self.last = event["Records"][-1]["dynamodb"]["SequenceNumber"]


def subjects(topic_suffix):
    return [a["subject"] for a in sent.unit_alerts(topic_suffix)]


def test_warning_breach_and_escalations_each_reach_the_right_unit_once(client, deps, clock):
    stream = Stream(client)
    ticket = json.loads(client.http.post(
        "/channels/balai-warga", body=json.dumps(GAMBIR),
        headers={"Content-Type": "application/json"}).body)["ticket"]
    stream.pump()
    assert sweep(deps).steps == 0

    clock.advance(hours=5)  # past 80% of the 6 h first-action limit
    assert sweep(deps).steps == 1
    assert sweep(deps).steps == 0  # overlapping or repeated sweeps add nothing
    stream.pump()
    assert any("Peringatan" in s for s in subjects("unit-31-71-01-1001"))

    clock.advance(hours=1, minutes=5)  # breach: the unit and the kecamatan
    assert sweep(deps).steps == 1
    stream.pump()
    assert any("Terlambat" in s for s in subjects("unit-31-71-01"))
    clock.advance(hours=24)  # the kota
    sweep(deps)
    clock.advance(hours=48)  # the Biro Pemerintahan
    sweep(deps)
    stream.pump()
    assert any("Eskalasi" in s for s in subjects("unit-31-71"))
    assert any("Eskalasi" in s for s in subjects("unit-biro-pemerintahan"))
    kinds = [e.data["kind"] for e in deps.store.history(ticket) if e.action == "sla"]
    assert kinds == ["peringatan", "pelanggaran", "eskalasi", "eskalasi"]
    stream.pump()
    assert len(sent.unit_alerts("unit-biro-pemerintahan")) == 1


def test_the_sweep_reads_only_what_is_due(client, deps, clock):
    stream = Stream(client)
    for _ in range(6):
        client.http.post("/channels/balai-warga", body=json.dumps(GAMBIR),
                         headers={"Content-Type": "application/json"})
        clock.advance(hours=1)
    stream.pump()
    clock.now = clock.now.replace(minute=0)
    result = sweep(deps)
    # at T0+6h only the first report is past 80% of its 6 h (at T0+4.8h), the next at T0+5.8h
    assert result.due == result.items_read == 2
    assert result.requests == deps.store.due_shards


def test_a_report_that_is_acted_on_leaves_the_due_index(client, deps, clock):
    stream = Stream(client)
    filed = json.loads(client.http.post(
        "/channels/balai-warga", body=json.dumps(GAMBIR),
        headers={"Content-Type": "application/json"}).body)
    stream.pump()
    loaded = deps.store.load(filed["ticket"])
    closed, event = apply_action(loaded.report, Action.TOLAK, actor="x", now=clock(),
                                 note="bukan pengaduan")
    deps.store.update(loaded, closed, [event])
    clock.advance(days=30)
    assert sweep(deps).due == 0
