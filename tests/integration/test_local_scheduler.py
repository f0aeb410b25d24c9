"""The local scheduler: EventBridge rate/cron semantics, payload, on-demand firing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice, Cron, Rate
from chalice.local import LambdaContext

from infra.local.local_api import LocalApi
from infra.local.scheduler import (
    ScheduledJob,
    ScheduleError,
    Scheduler,
    aws_cron_to_croniter,
    parse_schedule,
)

# A Wednesday.
START = datetime(2026, 1, 7, 10, 30, tzinfo=UTC)


def fires(expression: str, count: int = 3, start: datetime = START) -> list[str]:
    schedule = parse_schedule(expression, anchor=start)
    moments, moment = [], start
    for _ in range(count):
        moment = schedule.next_after(moment)
        moments.append(moment.strftime("%a %Y-%m-%d %H:%M"))
    return moments


def test_rate_counts_from_the_start_not_from_the_top_of_the_hour() -> None:
    assert fires("rate(5 minutes)") == ["Wed 2026-01-07 10:35", "Wed 2026-01-07 10:40",
                                        "Wed 2026-01-07 10:45"]
    assert fires("rate(1 hour)", 2) == ["Wed 2026-01-07 11:30", "Wed 2026-01-07 12:30"]
    assert fires("rate(1 day)", 1) == ["Thu 2026-01-08 10:30"]
    later = parse_schedule("rate(5 minutes)", START).next_after(START + timedelta(minutes=12))
    assert later == START + timedelta(minutes=15)


def test_chalice_expression_objects_round_trip() -> None:
    assert fires(Rate(5, unit=Rate.MINUTES).to_string(), 1) == ["Wed 2026-01-07 10:35"]
    assert fires(Cron(0, 18, "?", "*", "MON-FRI", "*").to_string(), 2) == [
        "Wed 2026-01-07 18:00", "Thu 2026-01-08 18:00"]


def test_aws_day_of_week_numbers_are_sunday_one() -> None:
    # 2 = MON in EventBridge (cron's 1), 6 = FRI, 1 = SUN, 7 = SAT.
    assert fires("cron(0 1 ? * 2 *)", 2) == ["Mon 2026-01-12 01:00", "Mon 2026-01-19 01:00"]
    assert fires("cron(0 1 ? * 1 *)", 1) == ["Sun 2026-01-11 01:00"]
    assert fires("cron(0 1 ? * 7 *)", 1) == ["Sat 2026-01-10 01:00"]
    assert fires("cron(0 1 ? * 2-6 *)", 3) == ["Thu 2026-01-08 01:00", "Fri 2026-01-09 01:00",
                                               "Mon 2026-01-12 01:00"]
    assert fires("cron(0 1 ? * MON,FRI *)", 2) == ["Fri 2026-01-09 01:00",
                                                   "Mon 2026-01-12 01:00"]


def test_question_mark_last_day_nth_weekday_and_year() -> None:
    assert fires("cron(0 18 L * ? *)", 2) == ["Sat 2026-01-31 18:00", "Sat 2026-02-28 18:00"]
    assert fires("cron(0 2 ? * 6L *)", 1) == ["Fri 2026-01-30 02:00"]  # last Friday
    assert fires("cron(0 2 ? * 2#1 *)", 1) == ["Mon 2026-02-02 02:00"]  # first Monday
    assert fires("cron(0 0 1 1,4,7,10 ? *)", 2) == ["Wed 2026-04-01 00:00",
                                                    "Wed 2026-07-01 00:00"]  # quarterly SKM
    assert fires("cron(0/15 * * * ? *)", 2) == ["Wed 2026-01-07 10:45", "Wed 2026-01-07 11:00"]
    assert fires("cron(0 0 1 JAN ? 2028)", 1) == ["Sat 2028-01-01 00:00"]


@pytest.mark.parametrize(("expression", "message"), [
    ("cron(0 18 * * *)", "6 fields"),
    ("cron(0 18 * * * *)", "exactly one"),
    ("cron(0 18 ? * ? *)", "exactly one"),
    ("cron(0 18 ? * 8 *)", "day of week"),
    ("cron(0 18 15W * ? *)", "nearest weekday"),
    ("cron(61 18 * * ? *)", "not a valid"),
    ("rate(0 minutes)", "at least 1"),
    ("every day", "neither"),
])
def test_expressions_eventbridge_rejects_are_rejected(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(expression, START)


def test_translation_to_croniter() -> None:
    assert aws_cron_to_croniter("0 18 ? * 2-6 *") == "0 18 * * 1-5 0 *"
    assert aws_cron_to_croniter("0 18 L * ? 2026") == "0 18 L * * 0 2026"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def job(name: str, expression: str, invoke: Any, clock: FakeClock) -> ScheduledJob:
    schedule = parse_schedule(expression, clock.now)
    return ScheduledJob(name, expression, schedule,
                        f"arn:aws:events:ap-southeast-3:123456789012:rule/crm-local-{name}",
                        invoke, schedule.next_after(clock.now))


def test_jobs_fire_on_schedule_with_the_eventbridge_payload() -> None:
    clock = FakeClock(START)
    events: list[dict] = []
    scheduler = Scheduler([job("sla_sweep", "rate(5 minutes)", events.append, clock)],
                          "ap-southeast-3", "123456789012", clock=clock)
    assert scheduler.run_due() == 0  # nothing fires at start
    clock.now = START + timedelta(minutes=5)
    assert scheduler.run_due() == 1
    clock.now = START + timedelta(minutes=9)
    assert scheduler.run_due() == 0
    clock.now = START + timedelta(minutes=31)  # a long pause: one firing, no catch-up burst
    assert scheduler.run_due() == 1
    assert scheduler.describe()[0]["next_fire"] == "2026-01-07T11:05:00Z"

    first = events[0]
    assert set(first) == {"version", "id", "detail-type", "source", "account", "time",
                          "region", "resources", "detail"}
    assert first["version"] == "0"
    assert first["detail-type"] == "Scheduled Event"
    assert first["source"] == "aws.events"
    assert first["account"] == "123456789012"
    assert first["region"] == "ap-southeast-3"
    assert first["time"] == "2026-01-07T10:35:00Z"
    assert first["resources"] == [
        "arn:aws:events:ap-southeast-3:123456789012:rule/crm-local-sla_sweep"]
    assert first["detail"] == {}
    assert events[0]["id"] != events[1]["id"]


def test_run_loop_fires_a_due_job_and_stops_promptly() -> None:
    clock_now = [START]
    fired = threading.Event()
    scheduler = Scheduler([job("tick", "rate(1 minute)", lambda e: fired.set(),
                               FakeClock(START))],
                          "ap-southeast-3", "123456789012", clock=lambda: clock_now[0])
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.run, args=(stop,))
    thread.start()
    clock_now[0] = START + timedelta(minutes=1)
    assert fired.wait(3)
    stop.set()
    thread.join(3)
    assert not thread.is_alive()


def test_on_demand_fire_of_a_chalice_handler_through_the_local_api(tmp_path: Path) -> None:
    app = Chalice(app_name="throwaway")

    @app.schedule(Cron(0, 18, "L", "*", "?", "*"), name="month_end")
    def month_end(event: Any) -> dict:
        return {"rule": event.resources[0], "source": event.source}

    @app.schedule(Rate(5, unit=Rate.MINUTES), name="broken")
    def broken(event: Any) -> None:
        raise RuntimeError("sweep failed")

    clock = FakeClock(START)
    jobs = [job(source.name, source.schedule_expression.to_string(),
                lambda event, name=source.name: app.handler_map[name](
                    event, LambdaContext(name, 128, 60_000)), clock)
            for source in app.event_sources]
    scheduler = Scheduler(jobs, "ap-southeast-3", "123456789012", clock=clock)
    api = LocalApi(scheduler, tmp_path, status=dict)

    status, listed = api.handle("GET", "/_local/schedules", {})
    assert status == 200
    assert [s["name"] for s in listed["schedules"]] == ["broken", "month_end"]
    assert listed["schedules"][1]["next_fire"] == "2026-01-31T18:00:00Z"

    status, fired = api.handle("POST", "/_local/schedules/month_end", {})
    assert status == 200 and fired["ok"] is True
    assert fired["result"] == {"rule": jobs[0].rule_arn, "source": "aws.events"}

    status, failed = api.handle("POST", "/_local/schedules/broken", {})
    assert status == 200 and failed["ok"] is False
    assert "sweep failed" in failed["error"]

    assert api.handle("POST", "/_local/schedules/nope", {})[0] == 404
    assert api.handle("GET", "/_local/schedules/month_end", {})[0] == 405
