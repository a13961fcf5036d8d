"""Synthetic screening demo: referral contacts and seeded screenings, so the statistics have something to show.

Phone numbers are from ranges reserved for fiction (UK 020 7946 0xxx, France 01 99 00 xx xx). Answers are
drawn from a seeded generator; no screening describes a real person.
"""

from __future__ import annotations

import random

from threadline.synth.demo import DemoContext, demo_loader

CONTACTS = {
    "harbour": [
        ("Children's services duty line", "Urgent child protection referrals, day and night.", "020 7946 0018", "24/7"),
        ("Safe accommodation for young people", "Emergency beds for under-18s.", "020 7946 0042", "24/7"),
        ("Independent child advocates", "An advocate who stays with the child.", "020 7946 0077", "Mon–Fri 9–17"),
    ],
    "northline": [
        ("Permanence protection de l'enfance", "Signalements urgents, jour et nuit.", "01 99 00 12 34", "24/7"),
        ("Hébergement d'urgence jeunes", "Places d'urgence pour les mineurs.", "01 99 00 56 78", "24/7"),
    ],
}
INSTRUMENTS = ("ilo-2009-child-sexual", "ilo-2009-child-labour", "example-quick-screen")
SCREENINGS_PER_ORG = 30


@demo_loader(40, "screening: referral contacts and synthetic screenings")
def load_screening_demo(ctx: DemoContext) -> str:
    from threadline.engines.screening import get_instrument
    from threadline.screening import services
    from threadline.screening.models import ReferralContact, Screening

    rng = random.Random(ctx.seed + 5)
    created = 0
    for slug, org in ctx.organisations.items():
        admin = ctx.users.get(f"{slug}:administrator")
        worker = ctx.users.get(f"{slug}:caseworker")
        if not ReferralContact.objects.filter(organisation=org).exists():
            for position, (name, description, phone, hours) in enumerate(CONTACTS.get(slug, [])):
                services.referral_contact_save(
                    organisation=org,
                    user=admin,
                    name=name,
                    description=description,
                    phone=phone,
                    hours=hours,
                    position=position,
                    for_children=True,
                    for_adults=position == 0,
                )
        if worker is None or Screening.objects.filter(organisation=org).exists():
            continue
        for _n in range(SCREENINGS_PER_ORG):
            instrument = get_instrument(rng.choice(INSTRUMENTS))
            found_rate = rng.choice((0.0, 0.05, 0.15, 0.3))
            answers = {}
            for indicator in instrument.indicators:
                draw = rng.random()
                answers[indicator.id] = "yes" if draw < found_rate else rng.choice(("no", "no", "unknown", "declined"))
            services.screening_create_complete(
                organisation=org,
                user=worker,
                instrument_key=instrument.id,
                reference="S-" + "".join(rng.choice(services.REFERENCE_ALPHABET) for _i in range(6)),
                age_group=rng.choice(("child", "child", "child", "unknown")),
                answers=answers,
                language="fr" if slug == "northline" else "en",
            )
            created += 1
    return f"{created} screenings"
