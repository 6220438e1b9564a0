"""HIST-AGGRAVATION and HIST-BRUISING read the client's flags from earlier sessions."""

import datetime as dt

import pytest
import time_machine

from service.flags import flag_raise, flag_resolve
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def screen(api, person, days_ahead: float = 2):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days_ahead)).replace(microsecond=0)
    body = {
        "client": str(person.id),
        "service": {"name": "Massage", "pressure": "medium"},
        "start": start.isoformat(),
        "answers": {"has_sciatica": True},
    }
    response = api.post("/api/v1/screenings", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def earlier_flag(clinic, person, *, kind: str, days_ago: float, resolved: bool = False):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    appointment = AppointmentFactory(
        clinic=clinic, client=person, start=past - dt.timedelta(days=1), status="completed"
    )
    with time_machine.travel(past, tick=False):
        flag = flag_raise(appointment=appointment, severity="warning", source="post_session", kind=kind, reasons=[])
    if resolved:
        flag_resolve(flag=flag, note="spoke with the client")
    return flag


def test_an_open_aggravation_flag_from_days_ago_reschedules(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="aggravation", days_ago=3)
    data = screen(api, client_person)
    assert data["outcome"] == "reschedule"
    assert "HIST-AGGRAVATION" in {r["rule"] for r in data["reasons"]}
    assert data["earliest_advised_start"] is not None


def test_a_resolved_or_older_aggravation_asks_for_lighter_work(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="aggravation", days_ago=12, resolved=True)
    data = screen(api, client_person)
    assert data["outcome"] == "proceed_with_modifications"
    assert "reduce_depth" in data["modifications"]


def test_a_resolved_aggravation_flag_older_than_the_window_is_forgotten(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="aggravation", days_ago=45, resolved=True)
    data = screen(api, client_person)
    assert "HIST-AGGRAVATION" not in {r["rule"] for r in data["reasons"]}


def test_an_open_aggravation_flag_counts_however_old_until_it_is_resolved(api, clinic, client_person):
    flag = earlier_flag(clinic, client_person, kind="aggravation", days_ago=45)
    assert "reduce_depth" in screen(api, client_person)["modifications"]

    flag_resolve(flag=flag, note="followed up")
    assert "HIST-AGGRAVATION" not in {r["rule"] for r in screen(api, client_person)["reasons"]}


def test_the_most_recent_completed_session_decides_over_an_earlier_resolved_flag(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="aggravation", days_ago=20, resolved=True)
    # A later session went well: completed, no flag.
    AppointmentFactory(
        clinic=clinic, client=client_person, start=dt.datetime.now(dt.UTC) - dt.timedelta(days=3), status="completed"
    )
    data = screen(api, client_person)
    assert "HIST-AGGRAVATION" not in {r["rule"] for r in data["reasons"]}


def test_the_window_is_a_clinic_setting(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="aggravation", days_ago=45)
    clinic.policy = {"history_days": 60}
    clinic.save()
    assert "HIST-AGGRAVATION" in {r["rule"] for r in screen(api, client_person)["reasons"]}


def test_unusual_bruising_on_blood_thinners_needs_clearance_next_time(api, clinic, client_person):
    earlier_flag(clinic, client_person, kind="bruising", days_ago=5)
    data = screen(api, client_person)
    assert data["outcome"] == "needs_clearance"
    assert "HIST-BRUISING" in {r["rule"] for r in data["reasons"]}


def test_another_clients_flags_do_not_count(api, clinic, client_person):
    from tests.factories import ClientFactory

    earlier_flag(clinic, ClientFactory(clinic=clinic), kind="aggravation", days_ago=2)
    assert "HIST-AGGRAVATION" not in {r["rule"] for r in screen(api, client_person)["reasons"]}
