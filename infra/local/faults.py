"""Fault injection for the local stack: make moto answer like a throttled or failing AWS.

Local stack only. The plan lives in the moto child's memory (never journaled, gone on
restart) and is changed over `/_crm/faults` on moto's own port, which the stack forwards
from `/_local/faults` on the app's port. Nothing here is part of the Chalice app, so no
AWS stage can reach it.

A fault names a service (the SigV4 signing name: `dynamodb`, `dynamodbstreams`, `sns`,
`ses`, `sqs`, ...), optionally some operations, and an error:
- `throttle`: 400 ProvisionedThroughputExceededException (DynamoDB), Throttling (others);
- `5xx`: 500 InternalServerError (JSON protocols) / InternalFailure (query protocols).
By default the call is refused before moto sees it (nothing applied, nothing journaled).
With `after=True` the call is applied and journaled, then answered with the error: the
ambiguous failure where the client cannot tell whether its write happened.
`count` limits how many calls fail (then the fault is spent); `every=N` fails one matching
call in N.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

CONTROL_PATH = "/_crm/faults"
ERRORS = ("throttle", "5xx")


class FaultError(ValueError):
    """A fault description that cannot be used; the message says why."""


@dataclass
class Fault:
    service: str
    error: str = "5xx"
    actions: list[str] = field(default_factory=list)  # empty: every operation
    count: int | None = None  # None: until cleared
    every: int = 1
    after: bool = False
    matched: int = 0
    injected: int = 0

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Fault:
        if not isinstance(raw, dict) or not raw.get("service"):
            raise FaultError("give at least service=<signing name>, e.g. dynamodb or sns")
        error = str(raw.get("error", "5xx"))
        if error not in ERRORS:
            raise FaultError(f"error must be one of {', '.join(ERRORS)}")
        actions = raw.get("actions") or []
        if isinstance(actions, str):
            actions = [a for a in actions.split(",") if a]
        try:
            count = None if raw.get("count") in (None, "") else int(raw["count"])
            every = int(raw.get("every") or 1)
        except (TypeError, ValueError):
            raise FaultError("count and every must be whole numbers") from None
        if (count is not None and count < 1) or every < 1:
            raise FaultError("count and every must be at least 1")
        after = raw.get("after") in (True, "1", "true", "yes")
        return cls(service=str(raw["service"]).lower(), error=error,
                   actions=[str(a) for a in actions], count=count, every=every, after=after)

    @property
    def spent(self) -> bool:
        return self.count is not None and self.injected >= self.count

    def applies_to(self, service: str | None, action: str | None) -> bool:
        return (not self.spent and service == self.service
                and (not self.actions or action in self.actions))


class FaultPlan:
    """The faults in force; thread-safe, in memory only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> list[dict[str, Any]]:
        with self._lock:
            gone, self._faults = self._faults, []
        return [asdict(f) for f in gone]

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def pick(self, service: str | None, action: str | None) -> Fault | None:
        """The fault this call must suffer, if any (counts it)."""
        with self._lock:
            for fault in self._faults:
                if fault.applies_to(service, action):
                    fault.matched += 1
                    if (fault.matched - 1) % fault.every == 0:
                        fault.injected += 1
                        return fault
            return None

    # --- the control endpoint (moto's port) ---------------------------------------------

    def control(self, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method == "GET":
            return 200, {"faults": self.describe()}
        if method == "DELETE":
            return 200, {"cleared": self.clear()}
        if method == "POST":
            try:
                fault = Fault.from_dict(json.loads(body or b"{}"))
            except (FaultError, ValueError) as exc:
                return 400, {"error": str(exc)}
            self.add(fault)
            return 200, {"faults": self.describe()}
        return 405, {"error": "use GET, POST or DELETE"}


def error_response(fault: Fault, environ: dict[str, Any],
                   service: str | None) -> tuple[str, list[tuple[str, str]], bytes]:
    """The WSGI status, headers and body AWS would send for this fault."""
    request_id = str(uuid.uuid4())
    throttled = fault.error == "throttle"
    if environ.get("HTTP_X_AMZ_TARGET"):  # JSON protocols (DynamoDB, Streams, SQS)
        if throttled:
            code = ("ProvisionedThroughputExceededException" if service == "dynamodb"
                    else "ThrottlingException")
            prefix = "com.amazonaws.dynamodb.v20120810#" if service == "dynamodb" else ""
            status, message = "400 Bad Request", "Injected fault: throughput exceeded"
        else:
            code, prefix = "InternalServerError", ("com.amazonaws.dynamodb.v20120810#"
                                                   if service == "dynamodb" else "")
            status, message = "500 Internal Server Error", "Injected fault: internal error"
        body = json.dumps({"__type": prefix + code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"),
                   ("x-amzn-RequestId", request_id)]
        return status, headers, body
    # Query / REST-XML protocols (SNS, SES, S3)
    if throttled:
        status, kind, code = "400 Bad Request", "Sender", "Throttling"
    else:
        status, kind, code = "500 Internal Server Error", "Receiver", "InternalFailure"
    body = (f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code>"
            f"<Message>Injected fault</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body
