"""Every adult raises a concern; only the safeguarding leads read the log (KCSIE).

A tutor records a concern about a child they can see (or one they cannot find, in
words); the centre's safeguarding lead is emailed at once — where and when, never
what — and sees it on their home page; the tutor reads back only their own report.
Concerns and their chronology are append-only; files are kept privately."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from harmonia.accounts.models import Membership, Role
from harmonia.children.models import ChildAccessLog
from harmonia.staff import forms, services
from harmonia.staff.models import (
    AppendOnlyError,
    Concern,
    ConcernAccess,
    ConcernAttachment,
    ConcernEntry,
)
from tests.children.factories import make_child
from tests.staff.builders import PNG, TODAY, concern_a, concern_by_tutor

ACCOUNT = "Said she is scared to go home because of the shouting."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _raise(client, world, **data):
    payload = {
        "category": "emotional",
        "noticed": TODAY.isoformat(),
        "account": ACCOUNT,
        "action_taken": "Told her she did the right thing to tell me.",
        **data,
    }
    return client.post(reverse("staff:concern_create", args=[world.centre_a.pk]), payload)


def test_a_tutor_raises_a_concern_about_a_child_and_the_lead_is_told_at_once(world, as_persona):
    amara = make_child(world, first="Amara", last="Okafor", by=world.manager_a)
    other = make_child(world, centre=world.centre_b, first="Bea", last="Lambeth")
    client = as_persona("tutor_a")
    form = client.get(reverse("staff:concern_create", args=[world.centre_a.pk]))
    assert form.status_code == 200
    picker = form.context["form"].fields["about_child"].queryset
    assert list(picker) == [amara]  # the children the tutor can see, not Lambeth's
    assert other not in picker
    response = _raise(client, world, about_child=amara.pk)
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:my_concern", args=[concern.pk])
    assert (concern.about_child, concern.recorded_by, concern.centre) == (
        amara,
        world.tutor_a,
        world.centre_a,
    )
    # The safeguarding lead, and only they, got an email that says where, not what.
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.safeguarding_a.email]
    assert "In Harmony Liverpool" in email.subject
    assert reverse("staff:concern_detail", args=[concern.pk]) in email.body
    assert "scared" not in email.body and "Amara" not in email.body + email.subject
    # The concern is not on the child's access log, which the manager reads.
    assert not ChildAccessLog.objects.filter(child=amara).exclude(user=world.manager_a).exists()


def test_a_child_i_cannot_find_is_described_in_words(world, as_persona):
    client = as_persona("tutor_a")
    refused = _raise(client, world)
    assert refused.status_code == 200
    assert "Choose the child, or describe them" in refused.content.decode()
    assert not Concern.objects.exists()
    _raise(client, world, subject="A boy from the visiting school, about 9, called Sam")
    assert Concern.objects.get().about == "A boy from the visiting school, about 9, called Sam"


def test_the_lead_sees_it_on_their_home_page_and_reads_it(world, as_persona):
    concern = concern_by_tutor(world)
    lead = as_persona("safeguarding_a")
    home = lead.get(reverse("home")).content.decode()
    assert "1 new concern nobody has opened yet" in home
    assert "1 concern needing action" in home
    assert reverse("staff:concern_log", args=[world.centre_a.pk]) in home
    assert services.open_concerns_for(world.safeguarding_a)[0]["new"] == 1
    page = lead.get(reverse("staff:concern_detail", args=[concern.pk]))
    assert page.status_code == 200 and ACCOUNT[:20] in page.content.decode()
    # Opened: no longer new, still needing action until it is closed.
    assert services.open_concerns_for(world.safeguarding_a)[0] == {
        "centre": world.centre_a,
        "open": 1,
        "new": 0,
        "url": reverse("staff:concern_log", args=[world.centre_a.pk]),
    }
    lead.post(
        reverse("staff:concern_entry_create", args=[concern.pk]),
        {"happened": TODAY.isoformat(), "what": "Spoke to mother; resolved.", "state": "closed"},
    )
    assert services.open_concerns_for(world.safeguarding_a) == []
    # Nobody else gets the alert (not the manager, not the tutor who raised it).
    for persona in ("manager_a", "tutor_a", "programme_lead"):
        assert services.open_concerns_for(world.people[persona]) == []
        assert "concerns needing action" not in as_persona(persona).get("/").content.decode()


def test_the_alert_costs_the_same_at_two_sizes(world, django_assert_num_queries):
    concern_by_tutor(world)
    user = world.safeguarding_a
    services.open_concerns_for(user)  # memberships cached on the user
    with django_assert_num_queries(1):  # one grouped count with its sub-queries
        services.open_concerns_for(user)
    for _ in range(20):
        Concern.objects.create(
            centre=world.centre_a,
            subject="x",
            category="welfare",
            noticed=TODAY,
            account="y",
            recorded_by=world.tutor_a,
        )
    with django_assert_num_queries(1):
        assert services.open_concerns_for(user)[0]["open"] == 21


def test_the_tutor_reads_back_only_what_they_recorded(world, as_persona):
    own = concern_by_tutor(world)
    lead_entry = ConcernEntry.objects.create(
        concern=own,
        written_by=world.safeguarding_a,
        happened=TODAY,
        what="Referred to children's social care, reference CSC-77.",
        referral_to="social_care",
        referral_date=TODAY,
        state="referred",
    )
    others = concern_a(world)  # recorded by the safeguarding lead
    client = as_persona("tutor_a")
    listing = client.get(reverse("staff:my_concerns")).content.decode()
    assert "A girl in the Tuesday strings group" in listing
    assert others.subject not in listing
    mine = client.get(reverse("staff:my_concern", args=[own.pk])).content.decode()
    assert "scared to go home" in mine
    assert "CSC-77" not in mine  # the lead's steps are theirs
    assert lead_entry.what not in mine
    # Someone else's concern does not exist for them, and the log stays closed.
    assert client.get(reverse("staff:my_concern", args=[others.pk])).status_code == 404
    assert client.get(reverse("staff:concern_detail", args=[own.pk])).status_code == 403
    assert client.get(reverse("staff:concern_log", args=[world.centre_a.pk])).status_code == 403
    tried = ConcernAccess.objects.filter(user=world.tutor_a, refused=True)
    assert sorted(tried.values_list("action", flat=True)) == [
        "opened_concern",
        "opened_log",
        "opened_own",
    ]
    # They add to it; the lead reads the addition in the chronology.
    client.post(
        reverse("staff:my_concern_add", args=[own.pk]),
        {"happened": TODAY.isoformat(), "what": "She said it again at the break."},
    )
    chronology = as_persona("safeguarding_a").get(reverse("staff:concern_detail", args=[own.pk]))
    assert "She said it again at the break." in chronology.content.decode()


def test_a_tutor_who_left_the_centre_no_longer_reads_their_concern(world, as_persona):
    own = concern_by_tutor(world)
    Membership.objects.filter(user=world.tutor_a).delete()
    assert as_persona("tutor_a").get(reverse("staff:my_concern", args=[own.pk])).status_code == 404


def test_a_centre_with_no_lead_tells_its_managers_to_appoint_one(world, as_persona):
    Membership.objects.filter(role=Role.SAFEGUARDING_LEAD).delete()
    response = _raise(as_persona("tutor_a"), world, subject="A child")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[world.manager_a.email]]
    assert "no designated safeguarding lead" in mail.outbox[0].body
    assert "scared" not in mail.outbox[0].body


def test_the_report_and_its_chronology_are_append_only(world):
    concern = concern_a(world)
    concern.account = "Something else"
    with pytest.raises(AppendOnlyError):
        concern.save()
    with pytest.raises(AppendOnlyError):
        concern.delete()
    with pytest.raises(AppendOnlyError):
        Concern.objects.filter(pk=concern.pk).update(account="x")
    with pytest.raises(AppendOnlyError):
        Concern.objects.filter(pk=concern.pk).delete()
    entry = ConcernEntry.objects.create(
        concern=concern, written_by=world.safeguarding_a, happened=TODAY, what="Called LADO."
    )
    entry.what = "Did not call LADO."
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    # The service refuses to "record" an existing concern again.
    form = forms.ConcernForm(
        {"subject": "x", "category": "welfare", "noticed": "2026-01-01", "account": "y"},
        instance=Concern.objects.get(pk=concern.pk),
    )
    assert form.is_valid()
    with pytest.raises(AppendOnlyError):
        services.record_concern(form, centre=world.centre_a, by=world.safeguarding_a)
    concern.refresh_from_db()
    assert concern.account == "Arrived hungry three weeks running."


def test_erasure_may_still_redact_a_name_from_the_text(world):
    concern = concern_a(world)
    concern.account = "[redacted] arrived hungry three weeks running."
    with pytest.raises(AppendOnlyError):  # not a redaction of what is stored
        concern.save(update_fields=["account"])
    concern = Concern.objects.get(pk=concern.pk)
    concern.account = concern.account.replace("hungry", "[redacted]")
    concern.save(update_fields=["account"])
    assert Concern.objects.get(pk=concern.pk).account == "Arrived [redacted] three weeks running."


def test_there_is_no_page_that_overwrites_a_concern(world):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("staff:concern_edit", args=[1])


def test_a_lead_records_a_referral_with_its_dates(world, as_persona):
    concern = concern_a(world)
    client = as_persona("safeguarding_a")
    missing_date = client.post(
        reverse("staff:concern_entry_create", args=[concern.pk]),
        {"happened": "2026-11-25", "what": "Referred.", "referral_to": "police"},
    )
    assert "Give the date the referral was made." in missing_date.content.decode()
    client.post(
        reverse("staff:concern_entry_create", args=[concern.pk]),
        {
            "happened": "2026-11-25",
            "what": "Rang the MASH.",
            "action_taken": "Referral form sent.",
            "referral_to": "social_care",
            "referral_date": "2026-11-25",
            "referral_reference": "MASH-1234",
            "referral_answered": "2026-11-27",
            "outcome": "Strategy discussion held.",
            "state": "referred",
        },
    )
    entry = ConcernEntry.objects.get()
    assert (entry.written_by, entry.referral_date, entry.referral_answered) == (
        world.safeguarding_a,
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 27),
    )
    page = client.get(reverse("staff:concern_detail", args=[concern.pk])).content.decode()
    assert "Children&#x27;s social care, 25 Nov 2026" in page and "MASH-1234" in page
    assert "answered 27 Nov 2026" in page and "Referred" in page


def test_attachments_are_checked_stored_privately_and_served_only_to_the_lead(
    world, as_persona, media
):
    concern = concern_a(world)
    client = as_persona("safeguarding_a")
    url = reverse("staff:concern_entry_create", args=[concern.pk])
    fake = SimpleUploadedFile("note.png", b"<html><script>alert(1)</script>", "image/png")
    refused = client.post(url, {"happened": "2026-11-25", "what": "A note.", "attachments": fake})
    assert "is not a PDF or a JPEG, PNG or WebP photo" in refused.content.decode()
    big = SimpleUploadedFile(
        "big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "application/pdf"
    )
    refused = client.post(url, {"happened": "2026-11-25", "what": "A note.", "attachments": big})
    assert "is larger than 10 MB" in refused.content.decode()
    assert not ConcernAttachment.objects.exists()
    good = SimpleUploadedFile("the note.png", PNG, "image/png")
    client.post(url, {"happened": "2026-11-25", "what": "A note.", "attachments": good})
    file = ConcernAttachment.objects.get()
    assert file.file.name.startswith("concerns/") and "note" not in file.file.name
    assert (file.size, file.content_type, len(file.sha256)) == (len(PNG), "image/png", 64)
    download = reverse("staff:concern_attachment", args=[file.pk, file.name])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ConcernAccess.objects.filter(action="opened_file", refused=False).count() == 1
    for persona, code in {"manager_a": 403, "tutor_a": 403, "tutor_b": 404}.items():
        assert as_persona(persona).get(download).status_code == code
    assert ConcernAccess.objects.filter(action="opened_file", refused=True).count() == 3


def test_every_centre_role_gets_the_link_and_programme_roles_do_not(world, as_persona):
    for persona in ("manager_a", "tutor_a", "safeguarding_a", "tutor_b"):
        page = as_persona(persona).get("/").content.decode()
        assert reverse("staff:raise_concern") in page, persona
    for persona in ("programme_lead", "funder", "evaluator"):
        page = as_persona(persona).get("/").content.decode()
        assert reverse("staff:raise_concern") not in page, persona
    response = as_persona("tutor_a").get(reverse("staff:raise_concern"))
    assert response["Location"] == reverse("staff:concern_create", args=[world.centre_a.pk])


def test_the_child_page_links_to_a_concern_about_that_child(world, as_persona):
    amara = make_child(world, first="Amara", last="Okafor", by=world.manager_a)
    page = as_persona("tutor_a").get(reverse("children:child_detail", args=[amara.pk]))
    link = reverse("staff:concern_create", args=[world.centre_a.pk]) + f"?child={amara.pk}"
    assert link in page.content.decode()
    form = as_persona("tutor_a").get(link)
    assert form.context["form"]["about_child"].value() == str(amara.pk)


def _more_concerns(world, n, by):
    for i in range(n):
        child = make_child(world, first=f"Kid{i}", last="Lister", by=world.manager_a)
        form = forms.ConcernForm(
            {"about_child": child.pk, "category": "welfare", "noticed": TODAY, "account": "x"},
            children=type(child).objects.filter(pk=child.pk),
        )
        assert form.is_valid(), form.errors
        concern = services.record_concern(form, centre=world.centre_a, by=by)
        ConcernEntry.objects.create(
            concern=concern, written_by=world.safeguarding_a, happened=TODAY, what="y"
        )


def test_the_log_and_the_own_list_cost_the_same_at_two_sizes(
    world, as_persona, django_assert_num_queries
):
    lead, tutor = as_persona("safeguarding_a"), None
    log = reverse("staff:concern_log", args=[world.centre_a.pk])
    mine = reverse("staff:my_concerns")
    _more_concerns(world, 1, world.tutor_a)
    for size in (1, 9):
        if size == 9:
            _more_concerns(world, 8, world.tutor_a)
        lead = as_persona("safeguarding_a")
        lead.get(log)
        # session, user, centre, memberships, the access row, concerns with their state
        with django_assert_num_queries(6):
            assert lead.get(log).content.decode().count("Lister") == size
        tutor = as_persona("tutor_a")
        tutor.get(mine)
        # session, user, memberships, own concerns, one insert of access rows
        with django_assert_num_queries(5):
            assert tutor.get(mine).content.decode().count("Lister") == size


def test_the_form_gives_the_emergency_number_of_the_centres_country(world, client):
    tutor = world.outsider  # also a tutor at the Venezuelan núcleo
    Membership.objects.create(user=tutor, role=Role.TUTOR, centre=world.centre_v)
    client.force_login(tutor)
    page = client.get(reverse("staff:concern_create", args=[world.centre_v.pk]))
    assert "call 911 now" in page.content.decode()
    client.force_login(world.tutor_a)
    page = client.get(reverse("staff:concern_create", args=[world.centre_a.pk]))
    assert "call 999 now" in page.content.decode()
