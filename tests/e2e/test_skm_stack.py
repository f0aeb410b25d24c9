"""A quarter of SKM through the running local stack, over HTTP: a report finished and
validated, the clock moved to the next quarter, `skm_launch` and `skm_dispatch` fired,
the SMS invitation read from the outbox, the survey answered once, the results read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.conftest import KELURAHAN_GAMBIR, RunningStack
from tests.e2e.test_workflow_stack import act, login, outbox, wait_for

pytestmark = pytest.mark.e2e
WIB = ZoneInfo("Asia/Jakarta")
PHONE, PHONE_E164 = "0812-9876-5432", "+6281298765432"


def app_now(stack: RunningStack) -> datetime:
    return datetime.fromisoformat(requests.get(f"{stack.url}/_local/clock",
                                               timeout=10).json()["now"])


def move_clock_to(stack: RunningStack, moment: datetime) -> datetime:
    minutes = (moment - app_now(stack)).total_seconds() / 60
    assert minutes >= 0, f"the clock only moves forward ({moment} is behind it)"
    moved = requests.post(f"{stack.url}/_local/clock", params={"advance_minutes": minutes},
                          timeout=10)
    assert moved.status_code == 200, moved.text
    return datetime.fromisoformat(moved.json()["now"])


def next_quarter_start(moment: datetime) -> tuple[datetime, str]:
    """01:00 WIB on the first day of the quarter after `moment`, and the quarter before it."""
    local = moment.astimezone(WIB)
    quarter = (local.month - 1) // 3 + 1
    year, month = (local.year + 1, 1) if quarter == 4 else (local.year, 3 * quarter + 1)
    return datetime(year, month, 1, 1, 0, tzinfo=WIB), f"{local.year}-Q{quarter}"


def fire(stack: RunningStack, name: str) -> dict:
    fired = requests.post(f"{stack.url}/_local/schedules/{name}", timeout=60).json()
    assert fired["ok"], fired.get("error")
    return fired["result"]


def test_a_quarter_of_skm_through_the_local_stack(stack: RunningStack) -> None:
    stack.start()
    answer = requests.post(f"{stack.url}/channels/balai-warga", timeout=30, json={
        "description": "Lampu jalan mati di depan Stasiun Gambir", "category": "lampu-jalan",
        "kelurahan_code": KELURAHAN_GAMBIR, "phone": PHONE})
    assert answer.status_code == 201, answer.text
    filed = answer.json()
    ticket = filed["ticket"]
    stack.wait_routed(filed)

    # lurah.gambir finishes it with a photo, the validator accepts: Selesai.
    lurah = login(stack, "lurah.gambir")
    assert act(stack, lurah, ticket, action="proses", note="Dicek PPSU").status_code == 200
    upload = requests.post(f"{stack.url}/officer/reports/{ticket}/photos", headers=lurah,
                           json={"kind": "after", "content_type": "image/jpeg"}, timeout=30)
    assert upload.status_code == 201, upload.text
    form = upload.json()
    stored = requests.post(form["url"], data=form["fields"], timeout=30,
                           files={"file": ("after.jpg", b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")})
    assert stored.status_code in (200, 204), stored.text
    done = act(stack, lurah, ticket, action="selesai", note="Lampu sudah diganti",
               photos=[{"key": form["key"], "kind": "after"}])
    assert done.status_code == 200, done.text
    accepted = act(stack, login(stack, "validator.biropem"), ticket, action="validasi",
                   note="Sesuai")
    assert accepted.json()["status"] == "Selesai", accepted.text
    stack.wait_pumps_idle()  # the stream has added the reporter to the unit's population

    # 01:00 WIB on the first day of the next quarter: the launch surveys this quarter.
    launch_at, period = next_quarter_start(app_now(stack))
    move_clock_to(stack, launch_at)
    launched = fire(stack, "skm_launch")
    assert launched == {"periode": period, "status": "dibuka", "populasi": 1, "diundang": 1}
    # Nothing is sent at 01:00 WIB (quiet hours); from 08:00 WIB the dispatch sends.
    fire(stack, "skm_dispatch")
    move_clock_to(stack, launch_at + timedelta(hours=7))
    fire(stack, "skm_dispatch")  # the stack's own scheduler may also have sent it by now

    def invitation() -> list[str]:
        return [m["body"] for m in outbox(stack, PHONE_E164)
                if m["channel"] == "sms" and "/skm/" in m["body"]]

    [text] = wait_for(invitation, 5, "the SKM invitation SMS", stack)
    link = re.search(r"(https?://\S+)/skm/([A-Za-z0-9_-]+)", text)
    assert link and link.group(1) == stack.url, text
    token = link.group(2)
    assert token.startswith(period.replace("-", ""))

    questionnaire = requests.get(f"{stack.url}/skm/{token}", timeout=10)
    assert questionnaire.status_code == 200, questionnaire.text
    survey = questionnaire.json()
    assert survey["periode"] == period
    assert survey["unit"] == {"kode": KELURAHAN_GAMBIR, "nama": "Kelurahan Gambir"}
    assert [u["kode"] for u in survey["unsur"]] == [f"U{i}" for i in range(1, 10)]

    jawaban = {**{f"U{i}": 4 for i in range(1, 9)}, "U9": 3}
    posted = requests.post(f"{stack.url}/skm/{token}", timeout=10,
                           json={"jawaban": jawaban, "komentar": "Cepat ditangani"})
    assert posted.status_code == 201, posted.text
    assert posted.json()["diterima"] is True
    again = requests.post(f"{stack.url}/skm/{token}", json={"jawaban": jawaban}, timeout=10)
    assert again.status_code == 409, again.text
    refusal = again.json()
    assert refusal["error"] == "sudah_dijawab"
    assert refusal["message_id"] and refusal["message_en"]

    results = requests.get(f"{stack.url}/skm/results", params={"period": period}, timeout=10)
    assert results.status_code == 200, results.text
    [unit] = results.json()["unit"]
    assert unit["unit"] == KELURAHAN_GAMBIR and unit["responden"] == 1
    # NRR 4 for U1-U8 and 3 for U9: IKM = 35 / 9 = 3.8889, converted 97.22, grade A.
    assert unit["ikm"] == 3.8889 and unit["ikm_konversi"] == 97.22 and unit["mutu"] == "A"
