"""Reliability under faults: each case runs a batch of citizen reports through a fresh local
stack while AWS (moto) fails in one way, then checks the store.

Clients behave as real ones: the Balai Warga form sends an Idempotency-Key and resends with
it after a 503/429 (honouring Retry-After) or a dropped connection; the JAKI / LAPOR!
partners resend the same signed message id, and deliver every message twice as webhooks
do. Faults are injected through the stack's `/_local/faults` (infra/local/faults.py): moto
answers like a throttled or failing AWS, nothing half applied.

Cases: baseline; dynamodb_throttling and dynamodb_5xx (every DynamoDB call, one in two
failing, for a while: intake answers 503 + Retry-After, botocore and clients retry);
sns_failure_during_notification (SNS Publish fails: the stream retries the notice);
crash_between_write_and_stream (the stream stops being read, reports keep being accepted,
then SIGKILL and restart: the pump redelivers from its checkpoint); poison_record (an
unreadable report item: dead-letter queue, the rest goes through); sigkill_mid_load (the
whole stack is killed with SIGKILL while clients are sending, and restarted).

Afterwards, from the table itself (a scan through moto) and the outbox of what SNS/SES
delivered: accepted (a 2xx answer), lost (accepted, but no such report), duplicated (one
submission, more than one report or ticket), routed exactly once, unit alerted, identical
notifications sent twice, dead-lettered records, 5xx other than the intended 503.
Last line: {"cases": [...], "lost_total", "duplicated_total"}.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from infra.local.config import REGION  # noqa: E402
from infra.local.preflight import free_port  # noqa: E402

REPORTS = int(os.environ.get("BENCH_FAULT_REPORTS", "50"))  # citizen reports per case
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
GIVE_UP_SECONDS = 90  # a client stops resending a report after this long
SETTLE_SECONDS = 60  # how long routing and notices may take to catch up after the load
TABLE = "crm-local"
UNITS = {"31.71.01.1001": "lurah.gambir@jakarta.go.id",
         "31.71.06.1001": "lurah.menteng@jakarta.go.id"}
TAG = re.compile(r"kode uji (\S+)")


# --- the stack under test ------------------------------------------------------------------


class Stack:
    """`python -m infra.local run` on fixed ports and data dir, so it can die and come back."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port, self.aws_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log = data_dir.parent / "stack.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CRM_"))}
        env.update(CRM_PORT=str(self.port), CRM_AWS_PORT=str(self.aws_port),
                   CRM_DATA_DIR=str(data_dir), CRM_RATE_PER_IP="100000",
                   CRM_RATE_PER_CHANNEL="100000", **(extra_env or {}))
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.failed_before_restart = 0
        self.aws = {"endpoint_url": f"http://127.0.0.1:{self.aws_port}", "region_name": REGION,
                    "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

    def start(self, timeout: float = 90) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "infra.local", "run"],
                                         cwd=PROJECT_DIR, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"local stack did not start:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; the moto child dies with its parent."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def fault(self, **params: Any) -> None:
        answer = requests.post(f"{self.url}/_local/faults", params=params, timeout=10)
        answer.raise_for_status()

    def injected(self) -> int:
        """AWS calls failed so far by the faults in force (a restart forgets them)."""
        faults = requests.get(f"{self.url}/_local/faults", timeout=10).json()["faults"]
        return sum(f["injected"] for f in faults)

    def clear_faults(self) -> None:
        requests.delete(f"{self.url}/_local/faults", timeout=10).raise_for_status()

    def client(self, service: str) -> Any:
        return boto3.client(service, **self.aws)

    def pumps(self) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/_local/status", timeout=10).json()["pumps"]


# --- the clients ---------------------------------------------------------------------------


@dataclass
class Submission:
    n: int
    case: str
    kind: str  # balai-warga | jaki | lapor
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    tickets: list[str] = field(default_factory=list)
    codes: list[int | str] = field(default_factory=list)
    timings: list[float] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    @property
    def tag(self) -> str:
        return f"{self.case}-{self.n}"

    @property
    def unit(self) -> str:
        return list(UNITS)[self.n % len(UNITS)]

    @property
    def accepted(self) -> bool:
        return bool(self.tickets)

    def request(self) -> tuple[str, dict[str, Any]]:
        text = f"Lampu jalan mati sejak kemarin malam, kode uji {self.tag}"
        if self.kind == "balai-warga":
            return "/channels/balai-warga", {"json": {
                "description": text, "kelurahan_code": self.unit, "phone": "081298765432"},
                "headers": {"Idempotency-Key": self.key}}
        body = json.dumps({"id": f"{self.kind}-{self.tag}", "text": text,
                           "kelurahan_code": self.unit,
                           "reporter": {"name": "Warga", "phone": "081298765432"}}).encode()
        stamp = str(int(time.time()))
        secret = f"crm-local-{self.kind}-secret".encode()  # the documented local default
        digest = hmac.new(secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        return f"/channels/{self.kind}", {"data": body, "headers": {
            "Content-Type": "application/json", "X-CRM-Key-Id": self.kind,
            "X-CRM-Timestamp": stamp, "X-CRM-Signature": f"sha256={digest}"}}


def deliver(session: requests.Session, url: str, sub: Submission) -> None:
    """Send until a 2xx (or give up): what a browser form with retry or a partner does."""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while time.monotonic() < deadline:
        path, kwargs = sub.request()
        began = time.perf_counter()
        try:
            answer = session.post(url + path, timeout=30, **kwargs)
        except requests.RequestException:  # the stack is down or the connection dropped
            sub.codes.append("conn")
            time.sleep(0.3)
            continue
        sub.timings.append((time.perf_counter() - began) * 1000)
        sub.codes.append(answer.status_code)
        if answer.status_code < 300:
            sub.tickets.append(answer.json()["ticket"])
            return
        if answer.status_code in (429, 503):
            time.sleep(float(answer.headers.get("Retry-After", "1")))
        elif answer.status_code >= 500:
            time.sleep(1)  # an unexpected failure: a client would still try again
        else:
            return  # refused for good


def send(url: str, sub: Submission) -> None:
    session = requests.Session()
    sub.started = time.monotonic()
    deliver(session, url, sub)
    if sub.accepted and sub.kind != "balai-warga":
        deliver(session, url, sub)  # partners' webhooks are at least once: redeliver
    sub.finished = time.monotonic()


# --- checking the store --------------------------------------------------------------------


def scan(stack: Stack) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in stack.client("dynamodb").get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return items


@dataclass
class StoreView:
    reports: dict[str, dict[str, Any]]  # ticket -> report doc
    routings: Counter  # ticket -> number of tugaskan events
    unsent: list[str]  # sent-log keys claimed but never marked sent: notices not delivered

    @classmethod
    def read(cls, stack: Stack) -> StoreView:
        reports: dict[str, dict[str, Any]] = {}
        routings: Counter = Counter()
        unsent: list[str] = []
        for item in scan(stack):
            kind = item.get("type", {}).get("S")
            if kind == "sent" and item.get("status", {}).get("S") != "sent":
                unsent.append(item["pk"]["S"][2:])
            if kind not in ("report", "event"):
                continue
            try:
                doc = json.loads(item["doc"]["S"])
            except ValueError:
                continue  # the poison record
            if kind == "report":
                reports[item["ticket"]["S"]] = doc
            elif doc.get("action") == "tugaskan":
                routings[item["ticket"]["S"]] += 1
        return cls(reports, routings, sorted(unsent))


def caught_up(stack: Stack) -> bool:
    """True when every pump has handled the last record of the stream and is not retrying."""
    streams = stack.client("dynamodbstreams")
    for pump in stack.pumps():
        if pump["retrying"]:
            return False
        arn = stack.client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
        where: dict[str, Any] = {"ShardIteratorType": "TRIM_HORIZON"}
        if pump["after"]:
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                     "SequenceNumber": pump["after"]}
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              **where)["ShardIterator"]
        if streams.get_records(ShardIterator=iterator, Limit=1)["Records"]:
            return False
    return True


def settle(stack: Stack) -> None:
    """Wait until the stream handlers have handled everything (twice in a row, 0.3 s apart:
    a handler's own writes make new records)."""
    deadline = time.monotonic() + SETTLE_SECONDS
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        quiet = quiet + 1 if caught_up(stack) else 0
        time.sleep(0.3)


def outbox(stack: Stack) -> list[dict[str, Any]]:
    return requests.get(f"{stack.url}/_local/outbox", timeout=30).json()["messages"]


def dead_letters(stack: Stack) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    queue = sqs.get_queue_url(QueueName="crm-local-stream-dlq")["QueueUrl"]
    found: dict[str, dict[str, Any]] = {}
    for _ in range(5):
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                           VisibilityTimeout=30).get("Messages", []):
            found[message["MessageId"]] = json.loads(message["Body"])
    return list(found.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


# --- the cases -----------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    inject: Callable[[Stack], None] | None = None  # called once a third of the load is out
    after_load: Callable[[Stack], None] | None = None  # before checking
    env: dict[str, str] = field(default_factory=dict)
    what: str = ""


def dynamodb_fault(error: str, after: bool = False) -> Callable[[Stack], None]:
    # The next 40 DynamoDB calls (intake reads and writes, routing, stream reads) fail:
    # botocore's retries absorb some, intake answers 503 + Retry-After to the rest.
    return lambda stack: stack.fault(service="dynamodb", error=error, count=40,
                                     **({"actions": "TransactWriteItems", "after": 1}
                                        if after else {}))


def sns_fault(stack: Stack) -> None:
    stack.fault(service="sns", actions="Publish", error="5xx", count=25)


def pause_stream(stack: Stack) -> None:
    # The stream handler stops being fed (Streams' signing name is dynamodb).
    stack.fault(service="dynamodb", actions="GetRecords,GetShardIterator", error="5xx")


def crash_and_restart(stack: Stack) -> None:
    # Once the pump has finished the batch it was in and found the stream unreadable, the
    # reports accepted since are written but not handled: kill, restart.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not stack.injected():
        time.sleep(0.2)
    stack.failed_before_restart = stack.injected()
    stack.kill()
    stack.start()


def poison(stack: Stack) -> None:
    stack.client("dynamodb").put_item(TableName=TABLE, Item={
        "pk": {"S": "R#POIS-0N00"}, "sk": {"S": "A"}, "type": {"S": "report"},
        "doc": {"S": "{not json"}, "ticket": {"S": "POIS-0N00"}})


def sigkill(stack: Stack) -> None:
    stack.kill()  # clients in flight lose their connections and resend
    stack.start()


CASES = [
    Case("baseline", what="no fault"),
    Case("dynamodb_throttling", dynamodb_fault("throttle"),
         what="DynamoDB 400 ProvisionedThroughputExceeded on the next 40 calls"),
    Case("dynamodb_5xx", dynamodb_fault("5xx"),
         what="DynamoDB 500 InternalServerError on the next 40 calls"),
    Case("sns_failure_during_notification", sns_fault,
         what="SNS Publish 500 InternalFailure, 25 times in a row"),
    Case("crash_between_write_and_stream", pause_stream, crash_and_restart,
         what="stream unread from 1/3 of the load on, SIGKILL after the load, restart"),
    Case("poison_record", poison, what="an unreadable report item amid the load"),
    Case("sigkill_mid_load", sigkill, what="SIGKILL of the whole stack at 1/3, restart"),
]
# Not in the default run (name it on the command line): the write is applied, then 500.
EXTRA_CASES = [
    Case("dynamodb_5xx_after_commit", dynamodb_fault("5xx", after=True),
         what="TransactWriteItems applied, then answered 500, 40 times"),
    Case("sns_failure_and_claim_kept", lambda stack: (
        stack.fault(service="sns", actions="Publish", error="5xx", count=10),
        stack.fault(service="dynamodb", actions="DeleteItem", error="5xx", count=10)),
         what="SNS Publish 500 x10 while the sent log cannot release its claim (DeleteItem "
              "500 x10): as if the sender died between claim and send"),
]


def run_case(case: Case) -> dict[str, Any]:
    kinds = ("balai-warga", "balai-warga", "jaki", "balai-warga", "balai-warga", "lapor")
    subs = [Submission(n, case.name, kinds[n % len(kinds)]) for n in range(REPORTS)]
    with tempfile.TemporaryDirectory(prefix="crm-faults-") as tmp:
        stack = Stack(Path(tmp) / "data", case.env)
        began = time.monotonic()
        stack.start()
        try:
            return measure(case, stack, subs, began)
        except Exception:
            print(stack.output(), file=sys.stderr)
            raise
        finally:
            stack.stop()
            if os.environ.get("BENCH_KEEP_LOGS"):  # a directory to keep each case's stack log
                keep = Path(os.environ["BENCH_KEEP_LOGS"])
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"{case.name}.log").write_bytes(stack.log.read_bytes())


def measure(case: Case, stack: Stack, subs: list[Submission], began: float) -> dict[str, Any]:
    started = threading.Semaphore(0)
    injected = threading.Event()

    def worker(sub: Submission) -> None:
        started.release()
        send(stack.url, sub)

    def injector() -> None:
        for _ in range(len(subs) // 3):
            started.acquire()
        if case.inject is not None:
            case.inject(stack)
        injected.set()

    for kind in ("balai-warga", "jaki"):  # the app's first calls build its clients: not timed
        send(stack.url, Submission(-1, "warmup", kind))
    trigger = threading.Thread(target=injector, daemon=True)
    trigger.start()
    load_began = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(worker, subs))
    load_seconds = time.monotonic() - load_began
    injected.wait(60)
    failed_calls = stack.injected()
    if case.after_load is not None:
        case.after_load(stack)  # a restart forgets the faults

    accepted = [s for s in subs if s.accepted]
    tickets = {t for s in accepted for t in s.tickets}
    settle(stack)  # count-limited faults stay until spent
    failed_calls = max(failed_calls, stack.failed_before_restart, stack.injected())
    stack.clear_faults()
    view = StoreView.read(stack)
    by_tag: Counter = Counter()
    for doc in view.reports.values():
        match = TAG.search(doc.get("description", ""))
        if match:
            by_tag[match.group(1)] += 1
    lost = sum(1 for s in accepted if not all(t in view.reports for t in s.tickets))
    duplicated = sum(max(0, by_tag[s.tag] - 1) + len(set(s.tickets)) - 1 for s in accepted)
    duplicated += sum(max(0, by_tag[s.tag] - 1) for s in subs if not s.accepted)
    routed_once = sum(1 for t in tickets if view.routings[t] == 1)
    routed_twice = sum(1 for t in tickets if view.routings[t] > 1)

    messages = outbox(stack)
    repeats = Counter((m["to"], m["channel"], m["subject"], m["body"]) for m in messages)
    notify_duplicated = sum(n - 1 for n in repeats.values())
    alerted = {s.tickets[0] for s in accepted for m in messages
               if m["to"] == UNITS[s.unit] and s.tickets[0] in (m["subject"] or "")}
    never_alerted = sorted({s.tickets[0] for s in accepted} - alerted)
    dlq = dead_letters(stack)
    dlq_keys = sorted({r["dynamodb"].get("Keys", {}).get("pk", {}).get("S", "?")
                       for body in dlq for r in body.get("records", [])})
    log = stack.log.read_text(errors="replace")
    codes = Counter(c for s in subs for c in s.codes)
    timings = [t for s in subs for t in s.timings]
    return {
        "case": case.name,
        "fault": case.what,
        "requests": len(subs),
        "accepted": len(accepted),
        "lost": lost,
        "duplicated": duplicated,
        "p99_ms": round(percentile(timings, 0.99), 1),
        "p99_submission_ms": round(percentile(
            [(s.finished - s.started) * 1000 for s in accepted], 0.99), 1),
        "http_requests": sum(codes.values()),
        "answers_503": codes[503],
        "answers_other_5xx": sum(n for c, n in codes.items() if isinstance(c, int) and c >= 500
                                 and c != 503),
        "connection_errors": codes["conn"],
        "routed_once": routed_once,
        "routed_twice": routed_twice,
        "unit_alerted": len(alerted),
        "notifications": len(messages),
        "notifications_duplicated": notify_duplicated,
        "notices_never_sent": view.unsent,
        "unit_never_alerted": never_alerted,
        "faults_injected": failed_calls,
        "stream_retries": log.count("retrying in"),
        "dead_lettered": len(dlq_keys),
        "poison_dead_lettered": "R#POIS-0N00" in dlq_keys,
        "load_s": round(load_seconds, 1),
        "case_s": round(time.monotonic() - began, 1),
    }


COLUMNS = [("case", 31), ("requests", 8), ("accepted", 8), ("lost", 4), ("duplicated", 10),
           ("p99_ms", 8), ("503s", 5), ("other_5xx", 9), ("routed_once", 11),
           ("alerted", 7), ("notify_dup", 10), ("unsent", 6), ("dlq", 3), ("case_s", 6)]


def row(result: dict[str, Any]) -> list[Any]:
    return [result["case"], result["requests"], result["accepted"], result["lost"],
            result["duplicated"], result["p99_ms"], result["answers_503"],
            result["answers_other_5xx"], result["routed_once"], result["unit_alerted"],
            result["notifications_duplicated"], len(result["notices_never_sent"]),
            result["dead_lettered"],
            result["case_s"]]


def main() -> None:
    only = set(sys.argv[1:])
    results = []
    began = time.monotonic()
    print("  ".join(f"{name:<{width}}" if name == "case" else f"{name:>{width}}"
                    for name, width in COLUMNS), flush=True)
    for case in CASES + EXTRA_CASES:
        if (only and case.name not in only) or (not only and case in EXTRA_CASES):
            continue
        result = run_case(case)
        results.append(result)
        print("  ".join(f"{value:<{width}}" if name == "case" else f"{value:>{width}}"
                        for (name, width), value in zip(COLUMNS, row(result), strict=True)),
              flush=True)
    print(f"{len(results)} cases, {REPORTS} citizen reports each ({CLIENTS} clients; "
          f"1 in 3 from a partner, delivered twice), {time.monotonic() - began:.0f} s; "
          "routed_once/alerted count accepted reports; dlq = records dead-lettered")
    for result in results:
        print(f"  {result['case']}: {result['fault']}; {result['faults_injected']} AWS calls "
              f"failed, {result['stream_retries']} stream batch retries, "
              f"{result['connection_errors']} dropped connections"
              + (", the poison record dead-lettered" if result["poison_dead_lettered"] else "")
              + (f"; NEVER SENT: {', '.join(result['notices_never_sent'])}"
                 if result["notices_never_sent"] else ""))
    print(json.dumps({"cases": results,
                      "lost_total": sum(r["lost"] for r in results),
                      "duplicated_total": sum(r["duplicated"] for r in results)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
