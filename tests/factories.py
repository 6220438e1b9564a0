"""Factories with named personas: Harbour Clinic and its therapists, and Northside, which must see nothing."""

from __future__ import annotations

import datetime as dt

import factory

from service.clinics import api_key_create
from service.models import Appointment, Client, Clinic, Therapist


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = "Harbour Massage Clinic"
    timezone = "Europe/London"
    emergency_region = "uk"
    contact_email = "desk@harbour.example"


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Therapist {n}")
    email = factory.Sequence(lambda n: f"therapist{n}@harbour.example")
    qualifications = factory.LazyFunction(lambda: ["sciatica"])
    alert_channels = factory.LazyFunction(lambda: ["email"])


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    date_of_birth = dt.date(1980, 4, 2)
    contact_channels = factory.LazyFunction(lambda: ["email"])


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    clinic = factory.SubFactory(ClinicFactory)
    client = factory.SubFactory(ClientFactory, clinic=factory.SelfAttribute("..clinic"))
    therapist = factory.SubFactory(TherapistFactory, clinic=factory.SelfAttribute("..clinic"))
    service_name = "Remedial massage"
    service_pressure = "medium"
    duration_minutes = 60
    start = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=o.duration_minutes))


def api_key_for(clinic: Clinic) -> str:
    _, raw = api_key_create(clinic=clinic, name="test")
    return raw
