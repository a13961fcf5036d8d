"""Generator version 2: the corpus of version 1 plus what real ad sites are full of.

Version 1 (``synth.py``) plants networks among independent posters whose texts are all different, so any text
similarity is evidence. Real sites are not like that, and version 2 adds, on top of the version 1 networks:

- site boilerplate: every site has its own few sentences (rules, safety notes, a site-suggested opening) that
  independent posters paste into their ads;
- popular copy-paste texts: blurbs that many unrelated posters copy whole, on every site, changing only their
  name, price and contact;
- agencies and booking services: one number (and a blurb) that appears in the ads of many unrelated workers,
  each of whom is their own truth group with their own contact;
- spam campaigns: one sender posting many near-identical ads with one or two contacts (one truth group);
- (profile ``agencies``) small agencies and booking services: two to nine workers whose ads carry one shared
  number beside each worker's own contact;
- independent posters whose short ads are near-identical ("new in town, call ...");
- networks that change template half-way (their contacts carry over).

Bland, non-explicit text only, as in version 1; every number, address and name is fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from threadline.engines.online import synth as v1


@dataclass(frozen=True)
class Profile:
    """Rates of the phenomena (a profile is a family of corpora; the seed picks one)."""

    network_share: float = 0.35  # share of draws that are a version 1 network (else one of the kinds below)
    boilerplate_rate: float = 0.6  # independent posters who paste their site's boilerplate
    boilerplate_sentences: tuple[int, int] = (3, 5)  # how many of the site's footer sentences they paste, in order
    copy_share: float = 0.25  # independent posters who copy a popular text
    n_popular: int = 40  # popular texts per language
    agency_share: float = 0.02  # draws that are an agency (with its workers)
    agency_workers: tuple[int, int] = (6, 40)
    worker_own_contact: float = 0.8  # worker ads that carry the worker's own contact besides the agency's
    spam_share: float = 0.01
    spam_size: tuple[int, int] = (20, 150)
    short_share: float = 0.2  # independent posters with a short, formulaic ad
    template_change: float = 0.3  # networks that switch to a second template half-way
    own_sentences: tuple[int, int] = (0, 2)  # sentences of their own that independent posters write
    # small agencies and booking services (fewer than 10 workers); 0 in the first two profiles, so their corpora
    # stay the same for the same seed
    small_agency_share: float = 0.0
    small_agency_workers: tuple[int, int] = (2, 9)


PROFILES = {
    "default": Profile(),
    # a differently-parameterised corpus to check that the engine was not tuned to the default one
    "alt": Profile(network_share=0.3, boilerplate_rate=0.8, boilerplate_sentences=(2, 6), copy_share=0.35,
                   n_popular=15, agency_share=0.04, agency_workers=(3, 80), worker_own_contact=0.6,
                   spam_share=0.02, spam_size=(5, 300), short_share=0.3, template_change=0.5,
                   own_sentences=(1, 3)),
    # the default rates plus small agencies whose one number appears beside each worker's own contact
    "agencies": Profile(small_agency_share=0.04),
}  # fmt: skip

SITE_BOILERPLATE = {
    "en": ["Please read the site rules before you post.", "All listings are checked by our moderators.",
           "Report any suspicious listing to the site team.", "Meet in public places and stay safe.",
           "Never send money in advance to anyone.", "Posted with the free listing plan of this board.",
           "Prices are set by the advertiser alone.", "This board does not verify photos or ages."],
    "es": ["Lee las normas del sitio antes de publicar.", "Todos los anuncios son revisados por moderadores.",
           "Denuncia cualquier anuncio sospechoso al equipo.", "Quedate en lugares publicos y cuidate.",
           "Nunca envies dinero por adelantado.", "Publicado con el plan gratuito de este tablon."],
    "fr": ["Lisez les regles du site avant de publier.", "Toutes les annonces sont verifiees par nos moderateurs.",
           "Signalez toute annonce suspecte a l'equipe du site.", "Rencontrez en lieu public et restez prudent.",
           "N'envoyez jamais d'argent a l'avance.", "Publie avec la formule gratuite de ce site."],
}  # fmt: skip
SHORT_FRAMES = {
    "en": ["Hi, I am {x}. New in {c}. Call me.", "{x} here, visiting {c} this week, text me.",
           "Hello from {x}, now in {c}, call or text."],
    "es": ["Hola, soy {x}. Nueva en {c}. Llamame.", "{x} aqui, de visita en {c}, escribeme."],
    "fr": ["Coucou, c'est {x}. Nouvelle a {c}. Appelez-moi.", "{x} ici, a {c} cette semaine, ecrivez-moi."],
}  # fmt: skip
AGENCY_LINES = {"en": "Bookings through {x} agency, call {p}.", "es": "Reservas con la agencia {x}, llama al {p}.",
                "fr": "Reservations par l'agence {x}, appelez le {p}."}  # fmt: skip


def _text(rng: random.Random, lang: str, n: int) -> list[str]:
    adj, nouns, places, _ = v1.VOCAB[lang]
    out = []
    for _ in range(n):
        fr = rng.choice(v1.FRAMES[lang])
        s = fr.format(a=rng.choice(adj), b=rng.choice(adj), n=rng.choice(nouns), m=rng.choice(nouns),
                      o=rng.choice(nouns), p=rng.choice(places))  # fmt: skip
        out.append(s[0].upper() + s[1:])
    return out


def _contact_line(rng: random.Random, lang: str, kind: str, val) -> str:
    if kind == "phone":
        nat, ctry = val
        return (
            {"en": "Call", "es": "Llama al", "fr": "Appelez le"}[lang]
            + " "
            + v1.render_phone(nat, ctry, lang, "plain", rng)
        )
    if kind == "email":
        return "Email: " + val
    return v1.render_handle(val[0], val[1], rng)


class _World:
    """What the posters of one corpus share: site boilerplate, popular texts, the running ad count."""

    def __init__(self, rng: random.Random, prof: Profile, seed: int, base: datetime) -> None:
        self.rng = rng
        self.prof = prof
        self.seed = seed
        self.base = base
        self.pool = v1.PhonePool(rng)
        self.popular = {lang: [_text(rng, lang, rng.randint(4, 6)) for _ in range(prof.n_popular)]
                        for lang in v1.VOCAB}  # fmt: skip
        # each site's footer: its own selection and order of the sentences, pasted as a block
        self.site_bp = {(site, lang): rng.sample(SITE_BOILERPLATE[lang], len(SITE_BOILERPLATE[lang]))
                        for site in v1.SITES for lang in v1.VOCAB}  # fmt: skip
        self.made = 0
        self.groups = 0

    def ad_id(self) -> str:
        a = f"ad-{self.seed}-{self.made:09d}"
        self.made += 1
        return a

    def truth(self) -> str:
        self.groups += 1
        return f"T{self.groups:08d}"

    def record(self, lang: str, body: str, city: tuple[str, str], day: datetime, truth: str,
               site: str | None = None, cats: list[str] | None = None, hub: str | None = None):  # fmt: skip
        rng = self.rng
        site = site or rng.choice(v1.SITES)
        ad_id = self.ad_id()
        title = " ".join(body.split()[:6]).rstrip(".,")
        rec = {"id": ad_id, "site": site, "url": f"https://{site}/ad/{ad_id}",
               "posted_at": (day + timedelta(minutes=rng.randint(0, 1439))).isoformat() + "Z", "city": city[0],
               "country": city[1] if rng.random() < 0.8 else None, "title": title, "body": body,
               "phone": None}  # fmt: skip
        return rec, {"ad_id": ad_id, "network": truth, "categories": cats or [], "hub": hub}

    def own_contact(self, lang: str, country: str):
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            p = self.pool.take("FR" if country == "FR" else "US")
            if p is not None:
                return "phone", (p, "FR" if country == "FR" else "US")
        if r < 0.8:
            return "email", f"{v1._word(rng, 4)}{rng.randint(1, 99)}@{rng.choice(v1.EMAIL_DOMAINS)}"
        return "handle", (rng.choice(["whatsapp", "telegram", "snapchat", "signal"]),
                          v1._word(rng, 3) + "_" + str(rng.randint(1, 999)))  # fmt: skip

    def price(self, lang: str) -> str:
        p = self.rng.choice([80, 100, 120, 150, 200])
        return {"en": f"${p}/hr", "es": f"${p} por hora", "fr": f"{p}€ par heure"}[lang]

    # ---------------------------------------------------------------- kinds of posters
    def independent(self):
        """One poster, one to three ads: own words, maybe site boilerplate, a popular text or a short frame."""
        rng, prof = self.rng, self.prof
        lang = rng.choices(["en", "es", "fr"], weights=[50, 25, 25])[0]
        truth = self.truth()
        city = rng.choice(v1.CITIES[lang])
        country = city[1] if city[1] != "CA" else "US"
        contact = self.own_contact(lang, country)
        name = v1._word(rng, 3).capitalize()
        r = rng.random()
        if r < prof.short_share:
            core = [rng.choice(SHORT_FRAMES[lang]).format(x=name, c=city[0])]
        elif r < prof.short_share + prof.copy_share:
            core = [rng.choice(v1.INTROS[lang]).format(x=name), *rng.choice(self.popular[lang])]
        else:
            core = [rng.choice(v1.INTROS[lang]).format(x=name), *_text(rng, lang, rng.randint(*prof.own_sentences))]
        n_ads = rng.choice([1, 1, 1, 2, 3])
        site = rng.choice(v1.SITES)
        day = self.base + timedelta(days=rng.randint(0, 300))
        for _ in range(n_ads):
            parts = list(core)
            if rng.random() < prof.boilerplate_rate:
                bp = self.site_bp[(site, lang)]
                k = min(rng.randint(*prof.boilerplate_sentences), len(bp))
                first = rng.randint(0, len(bp) - k)
                parts += bp[first : first + k]
            parts.insert(rng.randint(1, len(parts)), self.price(lang) + ". " + _contact_line(rng, lang, *contact))
            yield self.record(lang, " ".join(parts), city, day + timedelta(days=rng.randint(0, 20)), truth, site)

    def agency(self, workers: tuple[int, int] | None = None):
        """An agency number and blurb in the ads of many unrelated workers (each worker is its own group)."""
        rng, prof = self.rng, self.prof
        lang = rng.choices(["en", "es", "fr"], weights=[50, 25, 25])[0]
        city = rng.choice(v1.CITIES[lang])
        country = "FR" if city[1] == "FR" else "US"
        nat = self.pool.take(country)
        if nat is None:
            return
        agency_name = v1._word(rng, 3).capitalize()
        hub = v1.e164(nat, country)
        blurb = AGENCY_LINES[lang].format(x=agency_name, p=v1.render_phone(nat, country, lang, "plain", rng))
        for _ in range(rng.randint(*(workers or prof.agency_workers))):
            truth = self.truth()
            contact = self.own_contact(lang, country)
            name = v1._word(rng, 3).capitalize()
            own = [rng.choice(v1.INTROS[lang]).format(x=name), *_text(rng, lang, rng.randint(2, 4))]
            day = self.base + timedelta(days=rng.randint(0, 300))
            for _ in range(rng.choice([1, 2, 2, 3, 4])):
                parts = [*own, self.price(lang), blurb]
                if rng.random() < prof.worker_own_contact:
                    parts.append(_contact_line(rng, lang, *contact))
                yield self.record(lang, " ".join(parts), city, day + timedelta(days=rng.randint(0, 30)), truth,
                                  hub=hub)  # fmt: skip

    def spam(self):
        """One sender, many near-identical ads on every site, one or two contacts."""
        rng, prof = self.rng, self.prof
        lang = rng.choices(["en", "es", "fr"], weights=[50, 25, 25])[0]
        truth = self.truth()
        cities = rng.sample(v1.CITIES[lang], min(3, len(v1.CITIES[lang])))
        country = "FR" if cities[0][1] == "FR" else "US"
        contacts = [self.own_contact(lang, country) for _ in range(rng.choice([1, 2]))]
        text = [*_text(rng, lang, rng.randint(3, 5)), f"Code {v1._word(rng, 3)} {rng.randint(100, 999)}."]
        day = self.base + timedelta(days=rng.randint(0, 300))
        for i in range(rng.randint(*prof.spam_size)):
            parts = v1._mutate(rng, text, lang)
            parts.append(_contact_line(rng, lang, *contacts[i % len(contacts)]))
            yield self.record(lang, " ".join(parts), rng.choice(cities), day + timedelta(hours=rng.randint(0, 96)),
                              truth)  # fmt: skip

    def network(self, size: int):
        """A version 1 network; some switch to a second template half-way (their contacts carry over)."""
        rng, prof = self.rng, self.prof
        truth = self.truth()
        p = v1._persona(rng, self.pool, truth, size, self.base)
        second = v1._sentences(rng, p.lang, p.kind) if rng.random() < prof.template_change else None
        for k in range(size):
            if second is not None and k == size // 2:
                p.sentences = second
            rec, tr = v1._ad(rng, p, k, self.ad_id(), self.pool, 0.0, 0)
            yield rec, tr


def generate(n: int, seed: int, profile: str | Profile = "default"):
    """Yield (record, truth) pairs for ``n`` ads. Deterministic for a given (n, seed, profile)."""
    prof = PROFILES[profile] if isinstance(profile, str) else profile
    rng = random.Random(f"v2-{seed}")
    world = _World(rng, prof, seed, datetime(2026, 1, 1))
    emitted = 0
    while emitted < n:
        r = rng.random()
        if r < prof.network_share:
            it = world.network(max(2, min(int(rng.paretovariate(1.6) * 2), 300)))
        elif r < prof.network_share + prof.agency_share:
            it = world.agency()
        elif r < prof.network_share + prof.agency_share + prof.spam_share:
            it = world.spam()
        elif r < prof.network_share + prof.agency_share + prof.spam_share + prof.small_agency_share:
            it = world.agency(prof.small_agency_workers)
        else:
            it = world.independent()
        for pair in it:
            if emitted >= n:
                return
            yield pair
            emitted += 1
