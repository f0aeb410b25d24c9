"""Fire `@app.schedule` handlers on their EventBridge rate/cron expressions, in UTC.

EventBridge cron has six fields, `minutes hours day-of-month month day-of-week year`, numbers
days of the week 1-7 = SUN-SAT (cron's 0-6 shifted by one), and requires `?` in exactly one
of the two day fields. croniter does the calendar arithmetic once the expression is
translated to its dialect (0-6 weekdays, `L<n>` for "last <weekday>", year as 7th field).
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from croniter import croniter

log = logging.getLogger(__name__)


class ScheduleError(ValueError):
    """An expression EventBridge would reject (or that this stack cannot evaluate)."""


class Schedule(Protocol):
    def next_after(self, moment: datetime) -> datetime: ...


@dataclass(frozen=True)
class RateSchedule:
    interval: timedelta
    anchor: datetime  # EventBridge counts rate schedules from when the rule is created

    def next_after(self, moment: datetime) -> datetime:
        if moment < self.anchor:
            return self.anchor + self.interval
        periods = (moment - self.anchor) // self.interval + 1
        return self.anchor + periods * self.interval


@dataclass(frozen=True)
class CronSchedule:
    croniter_expression: str

    def next_after(self, moment: datetime) -> datetime:
        return croniter(self.croniter_expression, moment).get_next(datetime)


_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
_WEEKDAYS = {name: number for number, name in enumerate(
    ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}


def parse_schedule(expression: str, anchor: datetime) -> Schedule:
    """`rate(5 minutes)` or `cron(0 18 L * ? *)` (AWS syntax) -> a Schedule."""
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        value = int(rate.group(1))
        if value < 1:
            raise ScheduleError(f"{expression}: the rate must be at least 1")
        return RateSchedule(value * _UNITS[rate.group(2).rstrip("s")], anchor)
    cron = _CRON.match(text)
    if cron:
        return CronSchedule(aws_cron_to_croniter(cron.group(1)))
    raise ScheduleError(f"{expression!r} is neither rate(...) nor cron(...)")


def aws_cron_to_croniter(fields_text: str) -> str:
    fields = fields_text.split()
    if len(fields) != 6:
        raise ScheduleError(f"cron({fields_text}) needs 6 fields "
                            "(minutes hours day-of-month month day-of-week year)")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(f"cron({fields_text}): exactly one of day-of-month and "
                            "day-of-week must be '?'")
    if "W" in day_of_month.upper():
        raise ScheduleError(f"cron({fields_text}): 'W' (nearest weekday) is not supported "
                            "by the local scheduler")
    day_of_month = "*" if day_of_month == "?" else day_of_month
    day_of_week = "*" if day_of_week == "?" else _weekdays(day_of_week, fields_text)
    expression = f"{minutes} {hours} {day_of_month} {month} {day_of_week} 0 {year}"
    if not croniter.is_valid(expression):
        raise ScheduleError(f"cron({fields_text}) is not a valid expression")
    return expression


def _weekdays(field_text: str, whole: str) -> str:
    """AWS day-of-week (1-7 = SUN-SAT, names, `6L`, `2#1`) -> croniter (0-6 = SUN-SAT)."""
    def number(token: str) -> str:
        token = token.upper()
        value = _WEEKDAYS.get(token) or (int(token) if token.isdigit() else None)
        if value is None or not 1 <= value <= 7:
            raise ScheduleError(f"cron({whole}): bad day of week {token!r}")
        return str(value - 1)

    def translate(part: str) -> str:
        upper = part.upper()
        if upper == "*":
            return "*"
        if upper == "L":
            return "6"  # on its own, L is the last day of the week: Saturday
        if upper.endswith("L"):
            return "L" + number(upper[:-1])  # 6L = last Friday of the month
        if "#" in upper:
            day, nth = upper.split("#", 1)
            return f"{number(day)}#{nth}"
        step = ""
        if "/" in upper:
            upper, interval = upper.split("/", 1)
            step = "/" + interval
        if "-" in upper:
            low, high = upper.split("-", 1)
            return f"{number(low)}-{number(high)}{step}"
        if upper == "*":
            return "*" + step
        return number(upper) + step

    return ",".join(translate(part) for part in field_text.split(","))


def scheduled_event(rule_arn: str, region: str, account: str, at: datetime) -> dict[str, Any]:
    """The EventBridge "Scheduled Event" payload a rule delivers to its Lambda target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


@dataclass
class ScheduledJob:
    name: str
    expression: str
    schedule: Schedule
    rule_arn: str
    invoke: Callable[[dict[str, Any]], Any]
    next_fire: datetime
    last_fire: dict[str, Any] | None = field(default=None)


class Scheduler:
    def __init__(self, jobs: list[ScheduledJob], region: str, account: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._jobs = {job.name: job for job in jobs}
        self._region = region
        self._account = account
        self._clock = clock

    @property
    def names(self) -> list[str]:
        return sorted(self._jobs)

    def describe(self) -> list[dict[str, Any]]:
        return [{
            "name": job.name,
            "expression": job.expression,
            "rule_arn": job.rule_arn,
            "next_fire": _iso(job.next_fire),
            "last_fire": job.last_fire,
        } for job in sorted(self._jobs.values(), key=lambda j: j.next_fire)]

    def fire(self, name: str, at: datetime | None = None) -> dict[str, Any]:
        """Invoke one job now (or as if at `at`); returns what happened, never raises."""
        job = self._jobs[name]
        moment = at or self._clock()
        event = scheduled_event(job.rule_arn, self._region, self._account, moment)
        started = time.monotonic()
        outcome: dict[str, Any] = {"name": name, "event": event}
        try:
            outcome["result"] = job.invoke(event)
            outcome["ok"] = True
        except Exception as exc:
            outcome["ok"] = False
            outcome["error"] = "".join(traceback.format_exception(type(exc), exc,
                                                                  exc.__traceback__))
        outcome["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        job.last_fire = {"at": event["time"], "ok": outcome["ok"],
                         "duration_ms": outcome["duration_ms"]}
        if outcome["ok"]:
            log.info("%s fired (%s) in %.0f ms", name, job.expression, outcome["duration_ms"])
        else:
            log.error("%s failed (%s):\n%s", name, job.expression, outcome["error"])
        return outcome

    def run_due(self) -> int:
        """Fire every job whose time has come; returns how many fired."""
        fired = 0
        now = self._clock()
        for job in list(self._jobs.values()):
            if job.next_fire <= now:
                self.fire(job.name, at=job.next_fire)
                # From now, not from the missed slot: EventBridge does not catch up either.
                job.next_fire = job.schedule.next_after(max(self._clock(), job.next_fire))
                fired += 1
        return fired

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.run_due()
            if not self._jobs:
                stop.wait()
                return
            soonest = min(job.next_fire for job in self._jobs.values())
            wait = (soonest - self._clock()).total_seconds()
            stop.wait(min(max(wait, 0.05), 1.0))  # short waits notice a changed clock


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
