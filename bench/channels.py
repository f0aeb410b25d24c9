"""External channels: a mixed stream of all seven platforms through the local stack.

Each message is in its platform's documented format (the fixtures of
tests/fixtures/channels), signed with the channel's local default secret: 80% new
complaints (5% of them speaking of an emergency), 10% redeliveries of an earlier message,
10% with nothing to report (likes, receipts, auto-replies, "ok"). Every answer is checked
(new -> filed, redelivery -> same ticket, irrelevant -> ignored).

Handler time per channel, p50 and p99:
- HTTP channels (jaki, lapor, x, facebook, instagram): the request's round trip to the
  stack's API (local gateway + handler: verification, archive to S3, DynamoDB transaction,
  outbox items, all journaled and fsynced by the stack);
- SNS channels (email, sms): if the stack delivers what is published to the
  `crm-local-inbound-email` / `-inbound-sms` topics ("sns" mode), the time from Publish to
  the report being filed; otherwise ("direct" mode) the function is invoked in this process
  against the stack's moto, and the time is the function's own duration, as Lambda bills it.
Replies are queued as on AWS; the stack has no platform tokens, so X/Meta replies are
marked failed ("not configured") and nothing leaves the machine.

Last line: one JSON object. BENCH_MESSAGES (default 700), BENCH_CLIENTS (default 4).
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402
import requests  # noqa: E402
from local_stack import local_stack  # noqa: E402

from tests.channel_fixtures import (  # noqa: E402
    body_of,
    load,
    meta_headers,
    partner_headers,
    raw,
    ses_notification,
    x_headers,
)

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "700"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
CHANNELS = ("jaki", "lapor", "x", "facebook", "instagram", "email", "sms")
SNS_CHANNELS = {"email": "crm-local-inbound-email", "sms": "crm-local-inbound-sms"}
KELURAHAN = ["31.71.01.1001", "31.71.06.1001", "31.74.01.1003", "31.72.01.1001",
             "31.73.01.1001", "31.75.01.1001"]
PROBLEMS = ["Jalan berlubang di depan sekolah", "Lampu jalan mati sejak kemarin",
            "Sampah menumpuk di pinggir kali", "Saluran air tersumbat, meluap ke jalan",
            "Parkir liar menutup trotoar", "Pohon tumbang menutup sebagian jalan"]


@dataclass
class Job:
    channel: str
    kind: str  # new | duplicate | irrelevant
    external_id: str | None
    payload: Any  # JSON body (HTTP) or SNS message (dict)


# -- the mixed stream -----------------------------------------------------------------

def _text(n: int, rng: random.Random) -> str:
    text = f"{PROBLEMS[n % len(PROBLEMS)]} (uji beban {n})"
    return f"Ada kebakaran! {text}" if rng.random() < 0.05 else text


def _new(channel: str, n: int, rng: random.Random) -> tuple[str, Any]:
    text = _text(n, rng)
    if channel in ("jaki", "lapor"):
        ident = f"{channel.upper()}-BENCH-{n}"
        return ident, {**load("partner_report.json"), "id": ident, "text": text,
                       "kelurahan_code": KELURAHAN[n % len(KELURAHAN)]}
    if channel == "x":
        payload = load("x_tweet_mention.json")
        tweet = payload["tweet_create_events"][0]
        tweet["id_str"] = str(1900000000000000000 + n)
        tweet["id"] = int(tweet["id_str"])
        tweet["text"] = f"@DKIJakarta {text}"
        return f"tweet:{tweet['id_str']}", payload
    if channel == "facebook":
        if n % 2:
            payload = load("fb_messenger.json")
            message = payload["entry"][0]["messaging"][0]["message"]
            message["mid"], message["text"] = f"m_bench_{n}", text
            return f"message:m_bench_{n}", payload
        payload = load("fb_feed_comment.json")
        value = payload["entry"][0]["changes"][0]["value"]
        value["comment_id"], value["message"] = f"123456789012345_{n}", text
        return f"comment:123456789012345_{n}", payload
    if channel == "instagram":
        if n % 2:
            payload = load("ig_message.json")
            message = payload["entry"][0]["messaging"][0]["message"]
            message["mid"], message["text"] = f"ig_bench_{n}", text
            return f"message:ig_bench_{n}", payload
        payload = load("ig_comment.json")
        value = payload["entry"][0]["changes"][0]["value"]
        value["id"], value["text"] = f"1786{n:011d}", text
        return f"comment:1786{n:011d}", payload
    if channel == "email":
        mail = raw("mail_plain.eml").replace(b"Saluran air tersumbat di Jl. Kebon Sirih",
                                             text.encode())
        ident = f"benchmail{n:08d}"
        return ident, ses_notification(mail, message_id=ident)
    ident = f"bench-sms-{n:08d}"
    return ident, {**load("sms_inbound.json"), "inboundMessageId": ident, "messageBody": text,
                   "originationNumber": f"+62812{n % 100_000_000:08d}"}


def _irrelevant(channel: str, n: int) -> Any:
    if channel in ("jaki", "lapor"):  # partners only send reports: send one more new one
        return None
    return {
        "x": lambda: load("x_favorite.json"),
        "facebook": lambda: load("fb_delivery.json"),
        "instagram": lambda: {**load("fb_delivery.json"), "object": "instagram"},
        "email": lambda: ses_notification(raw("mail_autoreply.eml"), message_id=f"auto{n}"),
        "sms": lambda: {**load("sms_inbound.json"), "inboundMessageId": f"ok-{n}",
                        "messageBody": "OK"},
    }[channel]()


def mixed_stream(count: int, seed: int = 2026) -> list[Job]:
    rng = random.Random(seed)
    jobs: list[Job] = []
    sent: dict[str, list[Job]] = defaultdict(list)
    for n in range(count):
        channel = CHANNELS[n % len(CHANNELS)]
        roll = rng.random()
        if roll < 0.1 and sent[channel]:
            earlier = rng.choice(sent[channel])
            jobs.append(Job(channel, "duplicate", earlier.external_id,
                            copy.deepcopy(earlier.payload)))
            continue
        if roll < 0.2:
            payload = _irrelevant(channel, n)
            if payload is not None:
                jobs.append(Job(channel, "irrelevant", None, payload))
                continue
        ident, payload = _new(channel, n, rng)
        job = Job(channel, "new", ident, payload)
        jobs.append(job)
        sent[channel].append(job)
    return jobs


# -- sending ----------------------------------------------------------------------------

def http_request(url: str, session: requests.Session, job: Job) -> tuple[float, bool]:
    body = body_of(job.payload)
    if job.channel in ("jaki", "lapor"):
        headers = partner_headers(body, int(time.time()), channel=job.channel)
    elif job.channel == "x":
        headers = x_headers(body)
    else:
        headers = meta_headers(body, job.channel)
    started = time.perf_counter()
    answer = session.post(f"{url}/channels/{job.channel}", data=body, headers=headers,
                          timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, _as_expected(job, answer.status_code, answer.json())


def _as_expected(job: Job, status: int, answer: dict[str, Any]) -> bool:
    if job.channel in ("jaki", "lapor"):
        return status == (201 if job.kind == "new" else 200) and "ticket" in answer
    filed = answer.get("filed", [])
    if job.kind == "irrelevant":
        return status == 200 and filed == []
    return status == 200 and len(filed) == 1 and filed[0]["created"] == (job.kind == "new")


class SnsDelivery:
    """Email and SMS: through the stack's topics if it delivers them, else in-process."""

    def __init__(self, aws_endpoint: str, environment: dict[str, str]) -> None:
        self._env = environment
        kwargs = {"endpoint_url": aws_endpoint, "region_name": environment["AWS_REGION"],
                  "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self._sns = boto3.client("sns", **kwargs)
        self._dynamodb = boto3.client("dynamodb", **kwargs)
        self._topics = {ch: self._sns.create_topic(Name=name)["TopicArn"]
                        for ch, name in SNS_CHANNELS.items()}
        self._lock = threading.Lock()
        self.mode = "sns" if self._probe() else "direct"
        self._handlers: dict[str, Callable[..., Any]] = {}
        if self.mode == "direct":
            os.environ.update(environment)  # the app in this process talks to the stack's moto
            from chalicelib.handlers.channels import email, sms

            self._handlers = {"email": email.inbound_email, "sms": sms.inbound_sms}

    def _filed(self, channel: str, external_id: str) -> bool:
        item = self._dynamodb.get_item(
            TableName=self._env["CRM_TABLE"], ConsistentRead=True,
            Key={"pk": {"S": f"D#{channel}#{external_id}"}, "sk": {"S": "D"}})
        return "Item" in item

    def _probe(self, timeout: float = 5.0) -> bool:
        probe = {**load("sms_inbound.json"), "inboundMessageId": "bench-probe"}
        self._sns.publish(TopicArn=self._topics["sms"], Message=json.dumps(probe))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._filed("sms", "bench-probe"):
                return True
            time.sleep(0.05)
        return False

    def send(self, job: Job) -> tuple[float, bool]:
        message = json.dumps(job.payload)
        if self.mode == "direct":
            event = {"Records": [{"EventSource": "aws:sns", "Sns": {
                "Type": "Notification", "MessageId": f"bench-{id(job)}", "Message": message,
                "TopicArn": self._topics[job.channel], "Subject": None,
                "Timestamp": "2026-11-28T03:00:00.000Z", "MessageAttributes": {}}}]}
            started = time.perf_counter()
            answer = self._handlers[job.channel](event, None)
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, _as_expected(job, 200, answer)
        started = time.perf_counter()
        self._sns.publish(TopicArn=self._topics[job.channel], Message=message)
        if job.kind == "irrelevant":
            return (time.perf_counter() - started) * 1000, True
        while not self._filed(job.channel, job.external_id or ""):
            if time.perf_counter() - started > 30:
                return 30_000.0, False
            time.sleep(0.002)
        return (time.perf_counter() - started) * 1000, True


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    from infra.local.config import StackConfig

    jobs = mixed_stream(MESSAGES)
    timings: dict[str, list[float]] = defaultdict(list)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    unexpected: Counter[str] = Counter()
    with local_stack() as url:
        status = requests.get(f"{url}/_local/status", timeout=10).json()
        aws_port = status["aws_endpoint"].rsplit(":", 1)[1]
        config = StackConfig.from_env({"CRM_PORT": url.rsplit(":", 1)[1],
                                       "CRM_AWS_PORT": aws_port})
        sns = SnsDelivery(config.aws_endpoint, config.app_environment())
        sns_lock = threading.Lock()  # the in-process function is one Lambda: one event at a time

        def run(chunk: list[Job], record: bool = True) -> None:
            session = requests.Session()
            for job in chunk:
                if job.channel in SNS_CHANNELS:
                    with sns_lock:
                        elapsed, ok = sns.send(job)
                else:
                    elapsed, ok = http_request(url, session, job)
                if not record:
                    continue
                timings[job.channel].append(elapsed)
                kinds[job.channel][job.kind] += 1
                if not ok:
                    unexpected[job.channel] += 1

        # Warm up (first calls build the clients), one uncounted message per channel.
        warm = random.Random(0)
        run([Job(ch, "new", *_new(ch, 10**7 + i, warm)) for i, ch in enumerate(CHANNELS)],
            record=False)
        # A redelivery must follow its original: each client takes whole channels.
        by_channel: dict[str, list[Job]] = defaultdict(list)
        for job in jobs:
            by_channel[job.channel].append(job)
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(run, [by_channel[ch] for ch in CHANNELS]))
        wall = time.perf_counter() - started
    result: dict[str, Any] = {"messages": len(jobs), "clients": CLIENTS,
                              "messages_per_s": round(len(jobs) / wall, 1),
                              "sns_mode": sns.mode, "unexpected": sum(unexpected.values()),
                              "channels": {}}
    for channel in CHANNELS:
        values = timings[channel]
        result["channels"][channel] = {
            "n": len(values), **dict(kinds[channel]),
            "p50_ms": round(statistics.median(values), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
        }
        print(f"{channel:10s} n={len(values):4d} p50 {result['channels'][channel]['p50_ms']:7.1f}"
              f" ms  p99 {result['channels'][channel]['p99_ms']:7.1f} ms"
              f"  unexpected {unexpected[channel]}")
    print(f"{len(jobs)} messages, {CLIENTS} clients, {result['messages_per_s']}/s, "
          f"email/sms via {sns.mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
