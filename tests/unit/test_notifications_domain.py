from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.categories import SlaPolicy
from chalicelib.domain.notifications import CITIZEN_TEMPLATE, UNIT_TEMPLATE, Links, notices_for
from chalicelib.domain.report import Reporter, apply_action, open_report
from chalicelib.domain.sms import fit_one_sms, fits_one_sms, is_gsm7, sms_units
from chalicelib.domain.status import Action
from chalicelib.registry import registry
from chalicelib.services.notifications import templates

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
REG = registry()
LINKS = Links("https://crm.jakarta.go.id", "t" * 24)


def assigned(**fields):
    report, _ = open_report(ticket="K7Q4-M9XD", channel="balai-warga", description="Jalan rusak",
                            now=T0, policy=SlaPolicy(), kelurahan_code="31.71.01.1001",
                            reporter=Reporter(name="Budi Santoso", phone="+6281298765432"),
                            category="jalan-rusak", **fields)
    return apply_action(report, Action.TUGASKAN, actor="sistem", now=T0, unit="31.71.01.1001")


def notices(report, event, **kw):
    return notices_for(report, event, units=REG.units, categories=REG.categories,
                       templates=templates(), links=LINKS, **kw)


def test_every_template_named_by_the_rules_exists_with_subject_email_and_sms():
    for name in {*UNIT_TEMPLATE.values(), *CITIZEN_TEMPLATE.values()}:
        assert set(templates()[name]) == {"subject", "email", "sms"}


def test_assignment_gives_one_unit_alert_and_one_citizen_notice_with_distinct_keys():
    report, event = assigned()
    unit, citizen = notices(report, event)
    assert (unit.audience, unit.recipient) == ("unit", "31.71.01.1001")
    assert citizen.audience == "citizen"
    assert unit.key == "K7Q4-M9XD#2#unit:31.71.01.1001" and unit.key != citizen.key
    assert "Budi" not in unit.email + unit.sms + unit.subject
    assert "Batas waktu: 28 Nov 2026 16:00 WIB" in unit.email  # 03:00 UTC + 6 h, in WIB


def test_internal_steps_notify_nobody():
    report, _ = assigned()
    report, _ = apply_action(report, Action.PROSES, actor="lurah", now=T0)
    for action in (Action.EWS, Action.SELESAI):
        updated, event = apply_action(report, action, actor="lurah", now=T0, note="aspal")
        assert notices(updated, event) == []


def test_gsm7_and_ucs2_lengths():
    assert is_gsm7("Laporan K7Q4-M9XD selesai") and sms_units("a{") == 3
    assert not is_gsm7("Laporan 🚧") and sms_units("🚧") == 2
    assert fits_one_sms("x" * 160) and not fits_one_sms("x" * 161)
    assert fits_one_sms("é" * 160) and not fits_one_sms("ą" * 71)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_fit_one_sms_always_fits(text):
    assert fits_one_sms(fit_one_sms(text))


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_unit_sms_fits_one_segment_whatever_the_address(address):
    report, event = assigned(address=address)
    report = report.model_copy(update={"kelurahan_code": None})
    for notice in notices(report, event):
        assert fits_one_sms(notice.sms)
