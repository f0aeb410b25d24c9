"""`crm officers load` against moto's Cognito and SNS: new officers are invited, existing
ones updated in place (password kept), alerts follow the officer's unit and contacts,
a second load changes nothing, a bad file changes nothing."""

from __future__ import annotations

import json
from unittest import mock

import boto3
import pytest

from chalicelib.adapters.user_pool import create_officer, create_user_pool
from chalicelib.cli import main as crm
from chalicelib.domain.officer_directory import parse_directory
from chalicelib.domain.officers import Officer, Role
from chalicelib.registry import registry
from chalicelib.services.directory import load_directory

HEADER = "username,role,unit,name,email,phone,alerts\n"
GAMBIR, MENTENG = "31.71.01.1001", "31.71.06.1001"


@pytest.fixture
def pool(deps, monkeypatch):
    client = boto3.client("cognito-idp")
    pool_id, _ = create_user_pool(client, "crm-directory-test")
    monkeypatch.setenv("CRM_USER_POOL_ID", pool_id)
    return client, pool_id


def subscribers(deps, unit: str) -> set[tuple[str, str]]:
    sns = boto3.client("sns")
    subs = sns.list_subscriptions_by_topic(
        TopicArn=deps.notifier.unit_topic_arn(unit))["Subscriptions"]
    return {(s["Protocol"], s["Endpoint"]) for s in subs}


def load(deps, pool, text: str, dry_run: bool = False):
    reg = registry()
    officers = parse_directory(HEADER + text, reg.units, reg.role_policies)
    return load_directory(deps, pool[0], pool[1], officers, dry_run=dry_run)


def test_new_officers_are_invited_and_existing_ones_updated(deps, pool):
    client, pool_id = pool
    create_officer(client, pool_id, Officer(username="lurah.gambir", role=Role.LURAH,
                                            unit=GAMBIR, email="old@jakarta.go.id"),
                   "Existing-Password-2026")
    done = load(deps, pool,
                f"lurah.gambir,lurah,{GAMBIR},Lurah Gambir,lurah@jakarta.go.id,"
                f"0811-0000-0001,\n"
                f"petugas.baru,petugas,{GAMBIR},Petugas Baru,baru@jakarta.go.id,,\n")
    assert done.as_dict() == {"invited": 1, "updated": 1, "reinvited": 0, "unsubscribed": 0}

    new = client.admin_get_user(UserPoolId=pool_id, Username="petugas.baru")
    assert new["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # signs in with the mailed password
    attrs = {a["Name"]: a["Value"] for a in new["UserAttributes"]}
    assert (attrs["custom:role"], attrs["custom:unit"]) == ("petugas", GAMBIR)

    kept = client.admin_get_user(UserPoolId=pool_id, Username="lurah.gambir")
    assert kept["UserStatus"] == "CONFIRMED"  # the password set earlier still works
    attrs = {a["Name"]: a["Value"] for a in kept["UserAttributes"]}
    assert attrs["email"] == "lurah@jakarta.go.id" and attrs["phone_number"] == "+6281100000001"
    assert subscribers(deps, GAMBIR) == {("email", "lurah@jakarta.go.id"),
                                         ("sms", "+6281100000001"),
                                         ("email", "baru@jakarta.go.id")}

    again = load(deps, pool,
                 f"lurah.gambir,lurah,{GAMBIR},Lurah Gambir,lurah@jakarta.go.id,"
                 f"0811-0000-0001,\n"
                 f"petugas.baru,petugas,{GAMBIR},Petugas Baru,baru@jakarta.go.id,,\n")
    assert again.as_dict() == {"invited": 0, "updated": 2, "reinvited": 0, "unsubscribed": 0}
    assert len(subscribers(deps, GAMBIR)) == 3  # no duplicate subscriptions


def test_an_officer_moved_to_another_unit_stops_getting_the_old_units_alerts(deps, pool):
    load(deps, pool, f"lurah.pindah,lurah,{GAMBIR},,pindah@jakarta.go.id,0811-0000-0009,\n")
    assert subscribers(deps, GAMBIR) == {("email", "pindah@jakarta.go.id"),
                                         ("sms", "+6281100000009")}
    moved = load(deps, pool,
                 f"lurah.pindah,lurah,{MENTENG},,pindah@jakarta.go.id,0811-0000-0009,email\n")
    assert moved.unsubscribed == 2
    assert subscribers(deps, GAMBIR) == set()
    assert subscribers(deps, MENTENG) == {("email", "pindah@jakarta.go.id")}  # sms not chosen


def test_an_invitation_never_used_is_sent_again_once_it_has_expired(deps, pool, clock):
    client, pool_id = pool
    row = f"petugas.lupa,petugas,{GAMBIR},,lupa@jakarta.go.id,,\n"
    assert load(deps, pool, row).invited == ["petugas.lupa"]
    assert load(deps, pool, row).reinvited == []  # still valid: nothing resent
    clock.advance(days=9)  # past the pool's 7 days
    with mock.patch.object(client, "admin_create_user",
                           wraps=client.admin_create_user) as create:
        sent_again = load(deps, pool, row)
    assert sent_again.reinvited == ["petugas.lupa"]
    create.assert_called_once_with(UserPoolId=pool_id, Username="petugas.lupa",
                                   MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"])
    user = client.admin_get_user(UserPoolId=pool_id, Username="petugas.lupa")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_the_invitation_validity_is_the_pools():
    from chalicelib.services.directory import INVITATION_VALID
    from infra.package import MERGE_TEMPLATE, load_template

    pool = load_template(MERGE_TEMPLATE)["Resources"]["UserPool"]["Properties"]
    days = pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"]
    assert INVITATION_VALID.days == days


def test_a_dry_run_changes_nothing(deps, pool):
    client, pool_id = pool
    done = load(deps, pool, f"petugas.baru,petugas,{GAMBIR},,baru@jakarta.go.id,,\n",
                dry_run=True)
    assert done.invited == ["petugas.baru"]
    assert client.list_users(UserPoolId=pool_id)["Users"] == []


def test_the_cli_loads_a_file_and_refuses_a_bad_one_whole(deps, pool, tmp_path, capsys):
    client, pool_id = pool
    good = tmp_path / "petugas.csv"
    good.write_text(HEADER + f"petugas.baru,petugas,{GAMBIR},,baru@jakarta.go.id,,\n",
                    encoding="utf-8")
    assert crm(["officers", "load", str(good)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "officers": 1, "dry_run": False, "invited": 1, "updated": 0, "reinvited": 0,
        "unsubscribed": 0}

    bad = tmp_path / "salah.csv"
    bad.write_text(HEADER + f"petugas.lain,petugas,{GAMBIR},,lain@jakarta.go.id,,\n"
                   "x,lurah,31.99,,,,\n", encoding="utf-8")
    assert crm(["officers", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Baris 3" in err and "Row 3" in err and "not loaded" in err
    assert [u["Username"] for u in client.list_users(UserPoolId=pool_id)["Users"]] == [
        "petugas.baru"]  # the good row of the bad file was not loaded either


def test_unit_topics_of_a_deployed_stage_are_encrypted_with_its_key(aws):
    from chalicelib.adapters.notify import Notifier

    sns = boto3.client("sns")
    deployed = Notifier("dev", "ap-southeast-3", "no-reply@jakarta.go.id")
    plain = sns.create_topic(Name="crm-dev-unit-31-71-01-1001")["TopicArn"]  # an older one
    assert deployed.ensure_unit_topic(GAMBIR) == plain
    attributes = sns.get_topic_attributes(TopicArn=plain)["Attributes"]
    assert attributes["KmsMasterKeyId"] == "alias/crm-dev"
    fresh = deployed.ensure_unit_topic(MENTENG)
    assert sns.get_topic_attributes(TopicArn=fresh)["Attributes"]["KmsMasterKeyId"] == (
        "alias/crm-dev")
    local = Notifier("local", "ap-southeast-3", "no-reply@jakarta.go.id")
    topic = local.ensure_unit_topic(GAMBIR)
    assert "KmsMasterKeyId" not in sns.get_topic_attributes(TopicArn=topic)["Attributes"]


def test_a_shared_mailbox_stays_subscribed_when_one_officer_moves(deps, pool):
    shared = "kelurahan.gambir@jakarta.go.id"
    load(deps, pool, f"lurah.a,lurah,{GAMBIR},,{shared},,\n"
                     f"petugas.b,petugas,{GAMBIR},,{shared},,\n")
    load(deps, pool, f"lurah.a,lurah,{MENTENG},,{shared},,\n"
                     f"petugas.b,petugas,{GAMBIR},,{shared},,\n")
    assert subscribers(deps, GAMBIR) == {("email", shared)}  # petugas.b still gets them
    assert subscribers(deps, MENTENG) == {("email", shared)}


def test_an_unchanged_officer_is_not_rewritten(deps, pool):
    client, pool_id = pool
    row = f"petugas.sama,petugas,{GAMBIR},,sama@jakarta.go.id,,\n"
    load(deps, pool, row)
    with mock.patch.object(client, "admin_update_user_attributes",
                           wraps=client.admin_update_user_attributes) as update:
        load(deps, pool, row)
        assert update.call_count == 0  # an unused invitation keeps its age
        load(deps, pool, row.replace("sama@", "baru@"))
        assert update.call_count == 1
