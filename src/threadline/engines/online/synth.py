"""Seeded synthetic corpus of bland, non-explicit online ads with planted networks and ground truth.

Nothing here describes a real person: names are built from syllables, phones come from ranges reserved for
fiction (NANP 555-0100..0199; the French ARCEP ranges for fiction such as 01 99 00 xx xx), emails use reserved
domains (example.com/.org/.net, .test) and handles are random syllables. Text is about generic services and job
offers; indicator phrases are neutral lexicon items.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa

SITES = ["classifieds-one.example", "localboard.example", "citylist.example", "annonces.example",
         "anuncios.example", "jobsboard.example"]  # fmt: skip
CITIES = {
    "en": [("New York", "US"), ("Chicago", "US"), ("Houston", "US"), ("Phoenix", "US"), ("Denver", "US"),
           ("Seattle", "US"), ("Boston", "US"), ("Atlanta", "US"), ("Dallas", "US"), ("Detroit", "US"),
           ("Toronto", "CA"), ("Vancouver", "CA")],
    "es": [("Miami", "US"), ("Houston", "US"), ("Los Angeles", "US"), ("San Antonio", "US"), ("El Paso", "US"),
           ("San Diego", "US"), ("Chicago", "US"), ("Phoenix", "US")],
    "fr": [("Paris", "FR"), ("Lyon", "FR"), ("Marseille", "FR"), ("Toulouse", "FR"), ("Lille", "FR"),
           ("Bordeaux", "FR"), ("Nantes", "FR"), ("Strasbourg", "FR"), ("Montpellier", "FR"), ("Rennes", "FR")],
}  # fmt: skip
NUM_WORDS = {
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
    "es": ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"],
    "fr": ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"],
}
SYL = ["la", "mi", "ro", "sa", "vi", "na", "lu", "ke", "ta", "ri", "mo", "ne", "da", "li", "so", "ve", "ra", "ni",
       "ma", "lo", "be", "ja", "ki", "zu", "el", "an", "or", "is", "ul", "em"]  # fmt: skip
EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.test", "correo.test", "courriel.test"]
# Neutral vocabulary for bland text, per language: (adjectives, nouns, places, verbs/closing lines).
VOCAB = {
    "en": (
        [
            "friendly",
            "calm",
            "relaxed",
            "quiet",
            "clean",
            "bright",
            "cheerful",
            "patient",
            "warm",
            "polite",
            "easygoing",
            "kind",
            "tidy",
            "cosy",
            "modern",
            "sunny",
            "simple",
            "gentle",
            "reliable",
            "punctual",
            "honest",
            "open",
            "careful",
            "pleasant",
            "helpful",
            "curious",
            "creative",
        ],
        [
            "company",
            "conversation",
            "coffee",
            "music",
            "walks",
            "dinner",
            "tea",
            "books",
            "films",
            "games",
            "cooking",
            "travel",
            "art",
            "photos",
            "plans",
            "chats",
            "evenings",
            "mornings",
            "weekends",
            "gardens",
            "museums",
            "concerts",
            "markets",
            "parks",
            "bikes",
        ],
        [
            "station",
            "park",
            "museum",
            "market",
            "river",
            "harbour",
            "library",
            "stadium",
            "campus",
            "square",
            "mall",
            "airport",
            "centre",
            "bridge",
            "avenue",
            "beach",
            "theatre",
            "gallery",
            "hotel",
            "plaza",
        ],
        [
            "Call or text for details.",
            "Message me anytime.",
            "Serious enquiries only.",
            "Replies within the hour.",
            "Friendly chat welcome.",
            "Weekend slots open.",
            "Discreet and respectful.",
            "Happy to answer questions.",
        ],
    ),
    "es": (
        [
            "amable",
            "tranquila",
            "relajada",
            "limpia",
            "alegre",
            "paciente",
            "educada",
            "sencilla",
            "puntual",
            "sincera",
            "abierta",
            "agradable",
            "simpatica",
            "creativa",
            "curiosa",
            "serena",
            "cordial",
            "atenta",
            "moderna",
            "luminosa",
        ],
        [
            "compania",
            "conversacion",
            "cafe",
            "musica",
            "paseos",
            "cena",
            "te",
            "libros",
            "peliculas",
            "juegos",
            "cocina",
            "viajes",
            "arte",
            "fotos",
            "planes",
            "charlas",
            "tardes",
            "mananas",
            "fines",
            "parques",
            "mercados",
            "conciertos",
        ],
        [
            "estacion",
            "parque",
            "museo",
            "mercado",
            "rio",
            "puerto",
            "biblioteca",
            "estadio",
            "plaza",
            "centro",
            "puente",
            "avenida",
            "playa",
            "teatro",
            "galeria",
            "hotel",
        ],
        [
            "Llama o escribe para detalles.",
            "Escribeme cuando quieras.",
            "Solo consultas serias.",
            "Respondo en una hora.",
            "Charla amable bienvenida.",
            "Horarios de fin de semana.",
        ],
    ),
    "fr": (
        [
            "aimable",
            "calme",
            "detendue",
            "propre",
            "joyeuse",
            "patiente",
            "polie",
            "simple",
            "ponctuelle",
            "sincere",
            "ouverte",
            "agreable",
            "sympathique",
            "creative",
            "curieuse",
            "sereine",
            "cordiale",
            "attentive",
            "moderne",
            "lumineuse",
        ],
        [
            "compagnie",
            "conversation",
            "cafe",
            "musique",
            "promenades",
            "diner",
            "the",
            "livres",
            "films",
            "jeux",
            "cuisine",
            "voyages",
            "art",
            "photos",
            "projets",
            "discussions",
            "soirees",
            "matinees",
            "weekends",
            "parcs",
            "marches",
            "concerts",
        ],
        [
            "gare",
            "parc",
            "musee",
            "marche",
            "fleuve",
            "port",
            "bibliotheque",
            "stade",
            "place",
            "centre",
            "pont",
            "avenue",
            "plage",
            "theatre",
            "galerie",
            "hotel",
        ],
        [
            "Appelez ou ecrivez pour details.",
            "Ecrivez-moi quand vous voulez.",
            "Demandes serieuses uniquement.",
            "Reponse dans l'heure.",
            "Discussion amicale bienvenue.",
            "Creneaux le weekend.",
        ],
    ),
}
FRAMES = {
    "en": ["{a} and {b} {n} near the {p}.", "Enjoy {n} and {m} with a {a} host.", "{a} {n}, {b} {m}.",
           "Located close to the {p}, {a} and {b}.", "I like {n}, {m} and {o}.", "Ask about {n} by the {p}."],
    "es": ["{n} {a} y {b} cerca del {p}.", "Disfruta {n} y {m} con anfitriona {a}.", "{n} {a}, {m} {b}.",
           "Cerca del {p}, {a} y {b}.", "Me gustan {n}, {m} y {o}.", "Pregunta por {n} junto al {p}."],
    "fr": ["{n} {a} et {b} pres du {p}.", "Profitez de {n} et {m} avec une hote {a}.", "{n} {a}, {m} {b}.",
           "Pres du {p}, {a} et {b}.", "J'aime {n}, {m} et {o}.", "Demandez {n} pres du {p}."],
}  # fmt: skip
JOB_FRAMES = {
    "en": ["Hiring {a} staff for {n} work near the {p}.", "Hotel and restaurant jobs, {a} team.",
           "Positions open in {n} and {m}."],
    "es": ["Buscamos personal {a} para trabajo de {n} cerca del {p}.", "Empleos en hoteles y restaurantes.",
           "Puestos abiertos en {n} y {m}."],
    "fr": ["Recrutons personnel {a} pour travail de {n} pres du {p}.", "Emplois en hotel et restaurant.",
           "Postes ouverts en {n} et {m}."],
}  # fmt: skip
# Planted indicator phrases (each matches the packaged lexicon).
PLANTS = {
    "en": {
        "youth_cues": ["New face.", "Student.", "First time here."],
        "third_party_control": ["Ask for my manager.", "Booking through my agent.", "We have new hostesses."],
        "movement": ["New in town.", "Just arrived.", "Only here for three days."],
        "restricted_autonomy": ["Available 24/7.", "Incall only.", "No outcalls."],
        "coded_emoji": ["💗", "👑", "🍒", "✈️"],
        "deceptive_recruitment": ["No experience needed.", "Travel and accommodation paid.", "Placement fee.",
                                  "Passport kept by the agency.", "Urgent departure."],
    },
    "es": {
        "youth_cues": ["Cara nueva.", "Estudiante.", "Primera vez."],
        "third_party_control": ["Pregunta por mi encargado.", "Citas con mi agente.", "Tenemos nuevas anfitrionas."],
        "movement": ["Nueva en la ciudad.", "Recién llegada.", "De paso."],
        "restricted_autonomy": ["Disponible 24/7.", "No salgo.", "Solo en mi apartamento."],
        "coded_emoji": ["💗", "👑", "🍒", "✈️"],
        "deceptive_recruitment": ["Sin experiencia.", "Viaje y alojamiento pagados.", "Cuota de inscripción.",
                                  "Salida inmediata.", "Trabajo en el extranjero."],
    },
    "fr": {
        "youth_cues": ["Nouveau visage.", "Étudiante.", "Première fois."],
        "third_party_control": ["Demandez mon responsable.", "Rendez-vous avec mon assistante.",
                                "Nous avons de nouvelles hôtesses."],
        "movement": ["Nouvelle en ville.", "Juste arrivée.", "De passage."],
        "restricted_autonomy": ["Disponible 24h.", "Je ne me déplace pas.", "Uniquement sur place."],
        "coded_emoji": ["💗", "👑", "🍒", "✈️"],
        "deceptive_recruitment": ["Sans expérience.", "Voyage et logement payés.", "Frais d'inscription.",
                                  "Départ immédiat.", "Travail à l'étranger."],
    },
}  # fmt: skip
CATS = list(PLANTS["en"])
INTROS = {"en": ["My name is {x}.", "Ask for {x}.", "I am {x}."], "es": ["Me llamo {x}.", "Soy {x}."],
          "fr": ["Je m'appelle {x}.", "Moi c'est {x}."]}  # fmt: skip
KEYCAP = "\ufe0f\u20e3"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


class PhonePool:
    """Unique fictional phone numbers: NANP NXX-555-01xx and French fiction ranges."""

    def __init__(self, rng: random.Random) -> None:
        import phonenumbers

        areas = [a for a in range(201, 990) if phonenumbers.is_valid_number(phonenumbers.parse(f"{a}5550123", "US"))]
        self.us = [f"{a}55501{x:02d}" for a in areas for x in range(100)]
        self.fr = [f"0{p}{x:04d}" for p in ("19900", "26191", "35301", "46571", "53649") for x in range(10000)]
        rng.shuffle(self.us)
        rng.shuffle(self.fr)
        # reserved for hubs (site help lines)
        self.hub_us = [self.us.pop() for _ in range(8)]
        self.hub_fr = [self.fr.pop() for _ in range(4)]

    def take(self, country: str) -> str | None:
        pool = self.fr if country == "FR" else self.us
        return pool.pop() if pool else None


def e164(national: str, country: str) -> str:
    return ("+33" + national[1:]) if country == "FR" else "+1" + national


def _digits_words(d: str, lang: str) -> str:
    return " ".join(NUM_WORDS[lang][int(c)] for c in d)


def render_phone(national: str, country: str, lang: str, style: str, rng: random.Random) -> str:
    d = national
    groups = [d[i : i + 2] for i in range(0, 10, 2)] if country == "FR" else [d[:3], d[3:6], d[6:]]
    if style == "plain":
        if country == "FR":
            return rng.choice([" ".join(groups), ".".join(groups), "+33 " + d[1] + " " + " ".join(groups[1:])])
        return rng.choice([f"({groups[0]}) {groups[1]}-{groups[2]}", "-".join(groups), ".".join(groups), d,
                           f"+1 {groups[0]} {groups[1]} {groups[2]}"])  # fmt: skip
    if style == "words":
        return _digits_words(d, lang)
    if style == "mixed":
        out = [g if i % 2 == 0 else _digits_words(g, lang) for i, g in enumerate(groups)]
        return " ".join(out)
    if style == "letter_o":
        return "-".join(groups).replace("0", "O")
    if style == "emoji":
        return "".join(c + KEYCAP for c in d)
    if style == "spaced":
        return " ".join(d)
    if style == "fullwidth":
        return " ".join(groups).translate(FULLWIDTH)
    if style == "separators":
        return rng.choice(["*", "_", "~", "|"]).join(groups)
    raise ValueError(style)


PHONE_STYLES = ["plain", "words", "mixed", "letter_o", "emoji", "spaced", "fullwidth", "separators"]


def render_email(local: str, domain: str, lang: str, obf: bool, rng: random.Random) -> str:
    if not obf:
        return f"{local}@{domain}"
    host, _, tld = domain.rpartition(".")
    at, dot = {"en": ("at", "dot"), "es": ("arroba", "punto"), "fr": ("arobase", "point")}[lang]
    return rng.choice([f"{local} {at} {host} {dot} {tld}", f"{local}({at}){host}({dot}){tld}",
                       f"{local} [{at}] {host} [{dot}] {tld}", f"{local} @ {host} . {tld}"])  # fmt: skip


def render_handle(plat: str, name: str, rng: random.Random) -> str:
    label = {"whatsapp": ["whatsapp:", "WhatsApp"], "telegram": ["telegram @", "Telegram:", "t.me/"],
             "snapchat": ["snap:", "Snapchat"], "instagram": ["ig:", "Instagram @"], "kik": ["kik:"],
             "signal": ["Signal:"]}[plat]  # fmt: skip
    lab = rng.choice(label)
    return f"{lab}{name}" if lab.endswith("/") else f"{lab} {name}"


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(SYL) for _ in range(n))


@dataclass
class Persona:
    lang: str
    kind: str  # "service" or "job"
    cities: list[tuple[str, str]]
    phones: list[tuple[str, str]]  # (national, country)
    emails: list[str]
    handles: list[tuple[str, str]]
    names: list[str]
    sentences: list[str]
    price: int
    cats: list[str]
    obf_rate: float
    start: datetime
    span_days: int
    truth: str
    contacts: list[tuple[str, object]] = field(default_factory=list)


def _sentences(rng: random.Random, lang: str, kind: str) -> list[str]:
    adj, nouns, places, closings = VOCAB[lang]
    frames = FRAMES[lang] if kind == "service" else JOB_FRAMES[lang] + FRAMES[lang][:3]
    out = []
    for _ in range(rng.randint(4, 6)):
        fr = rng.choice(frames)
        s = fr.format(a=rng.choice(adj), b=rng.choice(adj), n=rng.choice(nouns), m=rng.choice(nouns),
                      o=rng.choice(nouns), p=rng.choice(places))  # fmt: skip
        out.append(s[0].upper() + s[1:])
    out.append(rng.choice(closings))
    out.append(f"Ref {_word(rng, 3)} {rng.randint(100, 999)}.")  # a per-persona token keeps texts distinct
    return out


def _persona(rng: random.Random, pool: PhonePool, truth: str, size: int, base: datetime) -> Persona:
    lang = rng.choices(["en", "es", "fr"], weights=[50, 25, 25])[0]
    kind = "job" if rng.random() < 0.15 else "service"
    n_cities = 1 if size == 1 else min(len(CITIES[lang]), rng.choice([1, 1, 2, 2, 3, 4]))
    cities = rng.sample(CITIES[lang], n_cities)
    phones = []
    for _ in range(1 if size == 1 else rng.choice([1, 1, 1, 2, 2, 3])):
        country = cities[0][1] if cities[0][1] != "CA" else "US"
        p = pool.take(country)
        if p is not None and (size > 1 or rng.random() < 0.3):
            phones.append((p, country))
    uname = _word(rng, rng.randint(3, 4)) + str(rng.randint(1, 99))
    emails = [f"{uname}@{rng.choice(EMAIL_DOMAINS)}"] if rng.random() < 0.6 else []
    handles = []
    if rng.random() < 0.5 or (not phones and not emails):
        handles.append((rng.choice(["whatsapp", "telegram", "snapchat", "instagram", "kik", "signal"]),
                        _word(rng, 3) + "_" + str(rng.randint(1, 999))))  # fmt: skip
    names = [_word(rng, 3).capitalize() for _ in range(1 if size < 5 else rng.choice([1, 2, 3]))]
    cats = [c for c in CATS if c != "deceptive_recruitment" and rng.random() < 0.15]
    if kind == "job":
        cats = ["deceptive_recruitment"] + ([c for c in cats if c == "movement"])
    p = Persona(lang, kind, cities, phones, emails, handles, names, _sentences(rng, lang, kind),
                rng.choice([80, 100, 120, 150, 200, 250]), cats, rng.choice([0.0, 0.2, 0.5, 0.9]),
                base + timedelta(days=rng.randint(0, 300)), max(1, min(90, size * rng.randint(1, 4))),
                truth)  # fmt: skip
    p.contacts = [("phone", x) for x in phones] + [("email", x) for x in emails] + [("handle", x) for x in handles]
    return p


def _mutate(rng: random.Random, sentences: list[str], lang: str) -> list[str]:
    s = list(sentences)
    if len(s) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(s) - 2)
        s[i], s[i + 1] = s[i + 1], s[i]
    if rng.random() < 0.3:
        adj = VOCAB[lang][0]
        i = rng.randrange(len(s) - 1)
        w = s[i].split()
        j = rng.randrange(len(w))
        w[j] = rng.choice(adj)
        s[i] = " ".join(w)
    return s


def _ad(rng: random.Random, p: Persona, idx: int, ad_id: str, pool: PhonePool, hub_rate: float, hub_slots: int):
    lang = p.lang
    city, country = rng.choice(p.cities)
    site = rng.choice(SITES)
    posted = p.start + timedelta(days=rng.randint(0, p.span_days), minutes=rng.randint(0, 1439))
    parts = _mutate(rng, p.sentences, lang)
    # contacts: chain so that every ad of a network shares one with the next (connectivity)
    cs = p.contacts
    chosen = []
    if cs:
        chosen.append(cs[idx % len(cs)])
        if len(cs) > 1 and (rng.random() < 0.6 or idx % len(cs) == len(cs) - 1):
            chosen.append(cs[(idx + 1) % len(cs)])
    obscured = False
    contact_txt = []
    phones_struct: list[str] = []
    phones_in_ad: list[tuple[str, str]] = []
    for kind, val in chosen:
        if kind == "phone":
            nat, ctry = val
            phones_in_ad.append(val)
            obf = rng.random() < p.obf_rate
            style = rng.choice(PHONE_STYLES[1:]) if obf else "plain"
            obscured = obscured or obf
            contact_txt.append({"en": "Call", "es": "Llama al", "fr": "Appelez le"}[lang] + " "
                               + render_phone(nat, ctry, lang, style, rng))  # fmt: skip
        elif kind == "email":
            obf = rng.random() < p.obf_rate
            obscured = obscured or obf
            local, _, dom = val.partition("@")
            contact_txt.append("Email: " + render_email(local, dom, lang, obf, rng))
        else:
            contact_txt.append(render_handle(val[0], val[1], rng))
    cats = []
    plants = []
    for c in p.cats:
        if rng.random() < 0.85:
            cats.append(c)
            plants.append(rng.choice(PLANTS[lang][c]))
    name = rng.choice(p.names)
    intro = rng.choice(INTROS[lang]).format(x=name) if rng.random() < 0.7 else ""
    price = p.price + rng.choice([0, 0, 10, -10, 20])
    price_txt = rng.choice({"en": [f"${price}/hr", f"{price} dollars per hour", f"${price} per session"],
                            "es": [f"{price} dolares la hora", f"${price} por hora"],
                            "fr": [f"{price}€ par heure", f"{price} euros la séance"]}[lang])  # fmt: skip
    if p.kind == "job":
        price_txt = (
            {"en": "Salary", "es": "Salario", "fr": "Salaire"}[lang]
            + f" {price * 10} "
            + ("€" if lang == "fr" else "USD")
        )
    body = " ".join([intro, *parts[:-1], *plants, price_txt, *contact_txt, parts[-1]]).strip()
    hub = None
    if rng.random() < hub_rate and (hub_slots >= 1 or country != "FR"):
        # small corpora get a single help line so that it is shared by enough ads to be recognisable as a hub
        n_h = min(4, max(1, hub_slots))
        hp = (pool.hub_fr if country == "FR" else pool.hub_us)[SITES.index(site) % n_h]
        hc = "FR" if country == "FR" else "US"
        hub = e164(hp, hc)
        body += (
            " "
            + {"en": "Site help line", "es": "Ayuda del sitio", "fr": "Aide du site"}[lang]
            + ": "
            + render_phone(hp, hc, lang, "plain", rng)
        )
    title = " ".join(parts[0].split()[:6]).rstrip(".,")
    if phones_in_ad and rng.random() < 0.1:
        phones_struct.append(e164(*phones_in_ad[0]))
    rec = {
        "id": ad_id, "site": site, "url": f"https://{site}/ad/{ad_id}", "posted_at": posted.isoformat() + "Z",
        "city": city, "country": country if rng.random() < 0.8 else None, "title": title, "body": body,
    }  # fmt: skip
    rec["phone"] = phones_struct[0] if phones_struct else None
    truth = {"ad_id": ad_id, "network": p.truth, "categories": cats + (["obscured_contact"] if obscured else []),
             "hub": hub}  # fmt: skip
    return rec, truth


def generate(n: int, seed: int, hub_rate: float = 0.02, network_share: float = 0.45):
    """Yield (record, truth) pairs for ``n`` ads. Deterministic for a given (n, seed)."""
    rng = random.Random(seed)
    pool = PhonePool(rng)
    base = datetime(2026, 1, 1)
    made = 0
    net_i = 0
    hub_slots = n // 5000  # enough ads per hub number that a hub is visible as one
    hub_rate = max(hub_rate, min(0.08, 40 / max(n, 1)))
    while made < n:
        size = min(n - made, max(2, int(rng.paretovariate(1.6) * 2)), 300) if rng.random() < network_share else 1
        net_i += 1
        p = _persona(rng, pool, f"T{net_i:08d}", size, base)
        order = list(range(size))
        for k in order:
            ad_id = f"ad-{seed}-{made:09d}"
            yield _ad(rng, p, k, ad_id, pool, hub_rate, hub_slots)
            made += 1


AD_SCHEMA = pa.schema([("id", pa.string()), ("site", pa.string()), ("url", pa.string()), ("posted_at", pa.string()),
                       ("city", pa.string()), ("country", pa.string()), ("title", pa.string()),
                       ("body", pa.string()), ("phone", pa.string())])  # fmt: skip
TRUTH_SCHEMA = pa.schema([("ad_id", pa.string()), ("network", pa.string()), ("categories", pa.list_(pa.string())),
                          ("hub", pa.string())])  # fmt: skip


def truth_path_for(out: Path) -> Path:
    name = out.name
    for ext in (".jsonl.gz", ".jsonl", ".csv.gz", ".csv", ".parquet"):
        if name.endswith(ext):
            return out.with_name(name[: -len(ext)] + ".truth.parquet")
    return out.with_name(name + ".truth.parquet")


GENERATOR_VERSIONS = (1, 2)
DEFAULT_GENERATOR_VERSION = 2  # of ``threadline synth ads``; library callers that give no version keep version 1


def write_corpus(n: int, seed: int, out: Path | str, chunk: int = 50_000, shuffle: bool = True,
                 version: int = 1, profile: str = "default") -> tuple[Path, Path]:  # fmt: skip
    """Write ``n`` synthetic ads to ``out`` (.parquet, .jsonl, .jsonl.gz or .csv) and the truth next to it.

    Ads of a network are shuffled within windows of ``chunk`` ads so networks span batches as real corpora do.
    ``version`` 1 is the original generator (same seed, same corpus as before version 2 existed); version 2 adds
    site boilerplate, copy-paste texts, agencies, spam campaigns and template changes (``synth_v2``), with the
    rates of ``profile``.
    """
    import gzip

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tpath = truth_path_for(out)
    rng = random.Random(seed + 1)
    if version == 1:
        gen = generate(n, seed)
    elif version == 2:
        from threadline.engines.online import synth_v2

        gen = synth_v2.generate(n, seed, profile)
    else:
        raise ValueError(f"unknown generator version {version} (known: {', '.join(map(str, GENERATOR_VERSIONS))})")
    name = out.name
    twriter = pq.ParquetWriter(tpath, TRUTH_SCHEMA)
    pwriter = None
    fh = None
    if name.endswith(".parquet"):
        pwriter = pq.ParquetWriter(out, AD_SCHEMA, compression="zstd")
    elif name.endswith(".jsonl.gz"):
        fh = gzip.open(out, "wt", encoding="utf-8", compresslevel=3)  # noqa: SIM115
    elif name.endswith(".jsonl"):
        fh = open(out, "w", encoding="utf-8")  # noqa: SIM115
    elif not name.endswith(".csv"):
        raise ValueError("output must end with .parquet, .jsonl, .jsonl.gz or .csv")
    first_csv = True
    try:
        while True:
            rows = []
            for _ in range(chunk):
                try:
                    rows.append(next(gen))
                except StopIteration:
                    break
            if not rows:
                break
            if shuffle:
                rng.shuffle(rows)
            recs = [r for r, _ in rows]
            twriter.write_table(pa.Table.from_pylist([t for _, t in rows], TRUTH_SCHEMA))
            if pwriter is not None:
                pwriter.write_table(pa.Table.from_pylist(recs, AD_SCHEMA))
            elif fh is not None:
                fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
            else:
                tbl = pa.Table.from_pylist(recs, AD_SCHEMA)
                with open(out, "ab" if not first_csv else "wb") as cf:
                    pacsv.write_csv(tbl, cf, pacsv.WriteOptions(include_header=first_csv))
                first_csv = False
    finally:
        twriter.close()
        if pwriter is not None:
            pwriter.close()
        if fh is not None:
            fh.close()
    return out, tpath
