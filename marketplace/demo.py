"""Demo data: a realistic Vårgårda-area data set. Loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from marketplace.kernel import auth, clock
from marketplace.kernel.addresses import normalise_email, suggested_address
from marketplace.kernel.auth import AuthUser
from marketplace.kernel.tables import OutboxMessage, User

DEMO_PASSWORD = "praktik-demo-2026"  # noqa: S105 - documented demo login

DEMO_USERS = [
    ("admin", "admin", "Alva", "Admin", "it"),
    ("samordnare", "coordinator", "Sara", "Samordnare", "kompetenscenter"),
    ("samordnare2", "coordinator", "Omar", "Oskarsson", "kompetenscenter"),
    ("vard", "host", "Henrik", "Värdsson", ""),
    ("enhet", "host", "Eva", "Enhetschef", ""),
    ("analytiker", "analyst", "Anna", "Analytiker", ""),
    ("partner", "partner", "Petra", "Persson", ""),
]
DEMO_ROLE_TEXT = {
    "admin": "administratör",
    "samordnare": "samordnare",
    "samordnare2": "samordnare",
    "vard": "värd för två företag",
    "analytiker": "analytiker",
    "enhet": "värd för tre kommunala enheter",
    "partner": "partnerkontakt på Arbetsförmedlingen",
}


async def load_demo_users() -> int:
    """Create the demo users that do not exist yet; return how many were created."""
    created = 0
    for username, role, first, last, team in DEMO_USERS:
        if await User.exists().where(User.username == username):
            continue
        await auth.create_user(
            username,
            DEMO_PASSWORD,
            role,
            email=f"{username}@demo.vargarda.example",
            first_name=first,
            last_name=last,
            team=team,
        )
        created += 1
    return created


def demo_address(local: str, domain: str) -> str:
    """A demo person's address, with a for å and ä and o for ö before the @
    ("Hanna.Nyström" → "hanna.nystrom@…"): no mail can go to å, ä or ö there, and
    `normalise_email` refuses them."""
    address = f"{local}@{domain}"
    return normalise_email(suggested_address(address) or address)


def _demo_addresses() -> dict[str, str]:
    """Each demo address an earlier load stored with å, ä or ö before the @, and its
    corrected form."""
    people = [
        *((f"{first}.{last}", "deltagare.demo.example") for first, last, _ in DEMO_PARTICIPANTS),
        *((f"{first}.{last}", "sokande.demo.example") for first, last, *_ in DEMO_APPLICATIONS),
    ]
    return {
        f"{local}@{domain}".lower(): demo_address(local, domain)
        for local, domain in people
        if not local.isascii()
    }


async def repair_demo_addresses() -> int:
    """Correct the addresses an earlier load stored with å, ä or ö before the @: Hanna
    Nyström's signing link never went out, and the Drift page blamed the mail server. The
    participant's and the applicant's address are corrected where they are stored, and the
    mail that failed or waits for the old address goes to the corrected one. Returns how
    many stored addresses were corrected (none on a database loaded since)."""
    from placements.tables import Application, Candidate

    fixed = 0
    for old, new in _demo_addresses().items():
        for table in (Candidate, Application):
            found = int(await table.count().where(table.email == old))
            if found:
                await table.update({table.email: new}).where(table.email == old)
                fixed += found
        await OutboxMessage.update(
            {
                OutboxMessage.recipient: new,
                OutboxMessage.status: "pending",
                OutboxMessage.attempts: 0,
                OutboxMessage.last_error: "",
                OutboxMessage.next_attempt_at: clock.now(),
            }
        ).where(
            (OutboxMessage.recipient == old) & OutboxMessage.status.is_in(["pending", "failed"])
        )
    return fixed


async def load_demo() -> dict[str, int]:
    """Load every part of the demo data set; return counts of what was created now."""
    repaired = await repair_demo_addresses()
    return {
        **({"rättade adresser": repaired} if repaired else {}),
        "användare": await load_demo_users(),
        **await load_demo_hosts(),
        **await load_demo_candidates(),
        **await load_demo_applications(),
        **await load_demo_partners(),
    }


# The demo participants whose Mina sidor the demo opens (`demo_sign_in_links`): one with a
# proposal to answer yes or no to, one in a placement that has gone on for long.
DEMO_SIGN_IN_PARTICIPANTS = (("Aisha", "Yusuf"), ("Hanna", "Nyström"))


async def demo_sign_in_links() -> list[str]:
    """One line per demo participant of DEMO_SIGN_IN_PARTICIPANTS: their name and a working
    sign-in link to Mina sidor, for the console of `marketplace demo` and `serve --demo`.

    The demo has no e-ID and its people's addresses are made up, so the link a coordinator
    sends reaches no one and nobody could see the participant's side. The links are made by
    the same service as the sent ones (single use, for PARTICIPANT_LINK_MINUTES); only demo
    participants, found by their demo address, get one. Loading the demo again makes new
    ones."""
    from participants.sessions import demo_sign_in_link
    from placements.tables import Candidate

    lines = []
    for first, last in DEMO_SIGN_IN_PARTICIPANTS:
        email = demo_address(f"{first}.{last}", "deltagare.demo.example")
        row = await Candidate.select(Candidate.id).where(Candidate.email == email).first()
        if row is None:
            continue
        link = await demo_sign_in_link(int(row["id"]))
        until = link.expires_at.astimezone(clock.STOCKHOLM).strftime("%H:%M")
        lines.append(
            f"{link.first_name} {link.last_name} (fungerar en gång, till {until}): {link.url}"
        )
    return lines


# --- hosts and slots around Vårgårda --------------------------------------------------------

# (name, kind, town, sector, occupations by exact taxonomy label). Municipal units share the
# municipality's organisationsnummer; the others get made-up numbers that pass the Luhn check.
DEMO_MUNICIPALITY_NUMBER = "212000-1520"
DEMO_HOSTS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        "Vårgårda kommun, Hemtjänst Norra",
        "municipal_unit",
        "Vårgårda",
        "Vård och omsorg",
        ("Undersköterska, hemtjänst, äldreboende och habilitering", "Vårdbiträde"),
    ),
    (
        "Vårgårda kommun, Hemtjänst Södra",
        "municipal_unit",
        "Vårgårda",
        "Vård och omsorg",
        ("Vårdbiträde", "Personlig assistent"),
    ),
    (
        "Vårgårda kommun, Kostenheten",
        "municipal_unit",
        "Vårgårda",
        "Måltider",
        ("Kock storhushåll", "Köksbiträde", "Diskare"),
    ),
    (
        "Vårgårda kommun, Äldreboendet Tånghag",
        "municipal_unit",
        "Vårgårda",
        "Vård och omsorg",
        ("Vårdbiträde", "Köksbiträde"),
    ),
    (
        "Vårgårda kommun, Förskolan Solgläntan",
        "municipal_unit",
        "Vårgårda",
        "Förskola",
        ("Barnskötare",),
    ),
    (
        "Vårgårda kommun, Fastighetsavdelningen",
        "municipal_unit",
        "Vårgårda",
        "Fastighet",
        ("Fastighetsskötare", "Skolvaktmästare"),
    ),
    (
        "Vårgårda kommun, Parkförvaltningen",
        "municipal_unit",
        "Vårgårda",
        "Park och gata",
        ("Park- och trädgårdsarbetare",),
    ),
    (
        "Vårgårda kommun, Biblioteket",
        "municipal_unit",
        "Vårgårda",
        "Kultur",
        ("Biblioteksassistent",),
    ),
    ("Vårgårda kommun, Lokalvården", "municipal_unit", "Vårgårda", "Lokalvård", ("Städare",)),
    ("Vårgårda kommun, Fritidsgården", "municipal_unit", "Vårgårda", "Fritid", ("Fritidsledare",)),
    (
        "Vårgårda kommun, Återbruket",
        "municipal_unit",
        "Vårgårda",
        "Återbruk",
        ("Butikssäljare, fackhandel", "Lagerarbetare/Terminalarbetare"),
    ),
    (
        "Vårgårda kommun, Kulturhuset",
        "municipal_unit",
        "Vårgårda",
        "Kultur",
        ("Receptionist", "Kafébiträde/Konditoribiträde"),
    ),
    ("Vårgårda Bygg AB", "company", "Vårgårda", "Bygg", ("Träarbetare/Snickare", "Byggstädare")),
    (
        "Vårgårda Däck & Service AB",
        "company",
        "Vårgårda",
        "Fordon",
        ("Däckmontör", "Personbilsmekaniker"),
    ),
    (
        "Vårgårda Livs AB",
        "company",
        "Vårgårda",
        "Handel",
        ("Butikssäljare, dagligvaror/Medarbetare, dagligvaror", "Kassapersonal"),
    ),
    ("Vårgårda Plåt AB", "company", "Vårgårda", "Bygg", ("Byggnadsplåtslagare",)),
    ("Vårgårda Trädgård AB", "company", "Vårgårda", "Trädgård", ("Park- och trädgårdsarbetare",)),
    (
        "Alingsås Bageri AB",
        "company",
        "Alingsås",
        "Livsmedel",
        ("Bagare/Konditor", "Kafébiträde/Konditoribiträde"),
    ),
    ("Alingsås Måleri AB", "company", "Alingsås", "Bygg", ("Målare",)),
    (
        "Alingsås Restaurang AB",
        "company",
        "Alingsås",
        "Restaurang",
        ("Restaurangbiträde", "Diskare", "Köksbiträde"),
    ),
    ("Herrljunga Snickeri AB", "company", "Herrljunga", "Trä", ("Träarbetare/Snickare",)),
    (
        "Herrljunga Lantbruk AB",
        "company",
        "Herrljunga",
        "Lantbruk",
        ("Djurskötare lantbruk", "Hästskötare"),
    ),
    (
        "Borås Logistik AB",
        "company",
        "Borås",
        "Logistik",
        ("Lagerarbetare/Terminalarbetare", "Truckförare"),
    ),
    ("Borås Städservice AB", "company", "Borås", "Städ", ("Städare", "Industristädare")),
    (
        "Borås Handel AB",
        "company",
        "Borås",
        "Handel",
        ("Butikssäljare, fackhandel", "Kassapersonal"),
    ),
    (
        "Trollhättan Mekaniska AB",
        "company",
        "Trollhättan",
        "Industri",
        ("Maskinmekaniker", "Lagerarbetare/Terminalarbetare"),
    ),
    (
        "Trollhättan Fastighetsservice AB",
        "company",
        "Trollhättan",
        "Fastighet",
        ("Fastighetsskötare",),
    ),
    (
        "Vänersborg Café & Konditori AB",
        "company",
        "Vänersborg",
        "Café",
        ("Kafébiträde/Konditoribiträde", "Bagare/Konditor"),
    ),
    ("Vänersborg Cykel AB", "company", "Vänersborg", "Handel", ("Cykelmekaniker",)),
    ("Lerum Bilverkstad AB", "company", "Lerum", "Fordon", ("Personbilsmekaniker",)),
    (
        "Vårgårda IF",
        "association",
        "Vårgårda",
        "Idrott",
        ("Idrottsplatsvaktmästare", "Kafébiträde/Konditoribiträde"),
    ),
    (
        "Röda Korset Vårgårda",
        "association",
        "Vårgårda",
        "Second hand",
        ("Butikssäljare, fackhandel",),
    ),
    (
        "Vårgårda Hembygdsförening",
        "association",
        "Vårgårda",
        "Kultur",
        ("Park- och trädgårdsarbetare",),
    ),
    (
        "Alingsås Second hand",
        "association",
        "Alingsås",
        "Second hand",
        ("Butikssäljare, fackhandel", "Lagerarbetare/Terminalarbetare"),
    ),
    ("Herrljunga Ridklubb", "association", "Herrljunga", "Idrott", ("Hästskötare",)),
    ("Lerum Scoutkår", "association", "Lerum", "Fritid", ("Fritidsledare",)),
    (
        "Svenska kyrkan Vårgårda",
        "association",
        "Vårgårda",
        "Kyrka",
        ("Kyrkvaktmästare", "Fritidsledare, församling/Ungdomsledare, församling"),
    ),
    (
        "Västra Götalandsregionen, vårdcentral Vårgårda",
        "public_agency",
        "Vårgårda",
        "Vård",
        ("Receptionist", "Vårdbiträde"),
    ),
    (
        "Trafikverket, depå Herrljunga",
        "public_agency",
        "Herrljunga",
        "Transport",
        ("Fastighetsskötare", "Lagerarbetare/Terminalarbetare"),
    ),
    ("Polisen, reception Alingsås", "public_agency", "Alingsås", "Myndighet", ("Receptionist",)),
    (
        "Vårgårda kommun, Daglig verksamhet Verkstaden",
        "municipal_unit",
        "Vårgårda",
        "Daglig verksamhet",
        ("Lagerarbetare/Terminalarbetare", "Park- och trädgårdsarbetare"),
    ),
]
DEMO_PAUSED_HOST = "Vänersborg Cykel AB"  # shows a host that paused and kept its account
DEMO_VARD_HOSTS = ("Vårgårda Bygg AB", "Vårgårda Däck & Service AB")
# The municipal units' own user (`enhet`): two ordinary municipal workplaces and the sheltered
# workshop, whose slots are the demo's "skyddad verksamhet" (the 15 of 85/15).
DEMO_ENHET_HOSTS = (
    "Vårgårda kommun, Hemtjänst Norra",
    "Vårgårda kommun, Kostenheten",
    "Vårgårda kommun, Daglig verksamhet Verkstaden",
)
DEMO_SHELTERED_HOST = "Vårgårda kommun, Daglig verksamhet Verkstaden"
DEMO_ADAPTATIONS = (
    "deltid möjlig",
    "lugn miljö",
    "flexibla tider",
    "stöd av handledare",
    "inga tunga lyft",
    "möjlighet till pauser",
)
DEMO_FIRST_NAMES = (
    "Maja", "Erik", "Leila", "Johan", "Sara", "Ahmed", "Karin", "Nils", "Amina", "Gunilla",
    "Per", "Birgitta", "Mats", "Lena", "Anders", "Mariam", "Jonas", "Ulla", "Stefan", "Helena",
)  # fmt: skip
DEMO_LAST_NAMES = (
    "Andersson", "Berg", "Karlsson", "Lind", "Nilsson", "Olsson", "Persson", "Johansson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hedlund", "Sjöberg", "Åberg",
)  # fmt: skip


def _demo_org_number(index: int, kind: str) -> str:
    from marketplace.kernel.luhn import luhn_check_digit

    if kind == "municipal_unit":
        return DEMO_MUNICIPALITY_NUMBER
    prefix = {"company": "556", "association": "802", "public_agency": "202"}[kind]
    nine = f"{prefix}{600000 + index * 7919 % 400000:06d}"
    digits = nine + luhn_check_digit(nine)
    return f"{digits[:6]}-{digits[6:]}"


async def load_demo_hosts() -> dict[str, int]:
    """About 40 hosts around Vårgårda with contacts, about 200 slots, and `vard`'s hosts.

    Hosts are found by name, contacts by host and name, slots by (demo, external_id), so a
    second load changes nothing.
    """
    import json
    import random

    from employers.services.hosts import coordinates_of
    from employers.tables import Contact, Host, HostMembership, UnitTarget
    from marketplace import demo_texts
    from marketplace.reference.taxonomy import closest_skills, groups, occupations
    from placements.exchange import import_slots

    by_label = {o.label: o for o in occupations().values()}
    hosts_created = 0
    rows: list[dict[str, object]] = []
    for index, (name, kind, town, sector, labels) in enumerate(DEMO_HOSTS):
        rng = random.Random(f"demo-{index}")  # noqa: S311 - demo data, not secrets
        org_number = _demo_org_number(index, kind)
        # Draw every random value whether or not the host exists, so a reload sees the same.
        address = f"{rng.choice(('Storgatan', 'Kungsgatan', 'Industrivägen'))} {rng.randint(1, 40)}"
        host = await Host.select(Host.id).where(Host.name == name).first()
        if host is None:
            coords = coordinates_of(town)
            created = await Host.insert(
                Host(
                    name=name,
                    kind=kind,
                    org_number=org_number,
                    address=address,
                    town=town,
                    latitude=coords[0] if coords else None,
                    longitude=coords[1] if coords else None,
                    sector=sector,
                    needs=f"Vi behöver förstärkning inom {sector.lower()} och tar gärna emot praktikanter.",
                    active=name != DEMO_PAUSED_HOST,
                )
            ).returning(Host.id)
            host_id = int(created[0]["id"])
            hosts_created += 1
        else:
            host_id = int(host["id"])
        supervisor = f"{rng.choice(DEMO_FIRST_NAMES)} {rng.choice(DEMO_LAST_NAMES)}"
        email = normalise_email(f"{supervisor.split()[0]}.{index}@demo-vard.example")
        public = f"{rng.choice(DEMO_FIRST_NAMES)} {rng.choice(DEMO_LAST_NAMES)}"
        if public == supervisor:
            public = f"{public.split()[0]} {DEMO_LAST_NAMES[(index + 3) % len(DEMO_LAST_NAMES)]}"
        contacts = (
            Contact(
                host=host_id, name=supervisor, email=email, role="Handledare", is_supervisor=True
            ),
            Contact(
                host=host_id,
                name=public,
                email=normalise_email(f"info.{index}@demo-vard.example"),
                phone=f"0322-{600000 + index:06d}",
                role="Kontaktperson",
                is_supervisor=False,
                is_public_contact=True,
            ),
        )
        for contact in contacts:
            exists = await Contact.exists().where(
                (Contact.host == host_id) & (Contact.name == contact.name)
            )
            if not exists:
                await Contact.insert(contact)
        target_places = rng.randint(3, 8)
        if kind == "municipal_unit":
            year = clock.today().year
            if not await UnitTarget.exists().where(
                (UnitTarget.host == host_id) & (UnitTarget.year == year)
            ):
                await UnitTarget.insert(UnitTarget(host=host_id, year=year, target=target_places))
        for n in range(5):
            occupation = by_label.get(labels[n % len(labels)])
            if occupation is None:
                continue
            # Three of the eight skills closest to the occupation (a random three of its
            # group's gave a cleaner at a building site "Sjöfartsskydd"), drawn as the group's
            # were, so that the random draws after them, and the rest of the demo, stay the same.
            group = groups().get(occupation.group_id)
            group_size = len(group.skill_ids) if group else 0
            near = closest_skills(occupation.id)[:8]
            label = occupation.names[0]
            status = "draft" if n == 4 and index % 3 == 0 else "published"
            sheltered = name == DEMO_SHELTERED_HOST
            slot_kind = "arbetsträning" if sheltered or rng.random() < 0.4 else "praktik"
            adaptations = rng.sample(DEMO_ADAPTATIONS, rng.randint(0, 3))
            row: dict[str, object] = {
                "external_id": f"demo-{index}-{n}",
                "status": status,
                "host": {"name": name, "kind": kind, "org_number": org_number, "town": town},
                "kind": slot_kind,
                "title": demo_texts.title(rng, slot_kind, label, sector),
                "occupation_id": occupation.id,
                "description": demo_texts.description(rng, kind, label, town, adaptations),
                "skills": _picked(near, rng.sample(range(group_size), min(3, group_size))),
                "town": town,
                "capacity": 3 if sheltered else rng.choice((1, 1, 2, 3)),
                "hours_per_week": rng.choice((15, 20, 25, 30, 40)),
                "tracks": ["hälsa", "vägledning"]
                if sheltered
                else sorted(rng.sample(["kompetens", "hälsa", "vägledning"], rng.randint(1, 3))),
                "adaptations": adaptations,
                "requirements": {"driving_licence": rng.random() < 0.1},
            }
            if sheltered:
                row["setting"] = "sheltered"
            # Most slots name their supervisor; a few wait for the host to name one.
            if (index + n) % 7 != 0:
                row["supervisor"] = {"name": supervisor, "email": email}
            rows.append(row)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    report = await import_slots(data, "jsonl", source="demo")
    for username, names in (("vard", DEMO_VARD_HOSTS), ("enhet", DEMO_ENHET_HOSTS)):
        member = await User.select(User.id).where(User.username == username).first()
        if member is None:
            continue
        for name in names:
            host = await Host.select(Host.id).where(Host.name == name).first()
            if host and not await HostMembership.exists().where(
                (HostMembership.user == member["id"]) & (HostMembership.host == host["id"])
            ):
                await HostMembership.insert(HostMembership(user=member["id"], host=host["id"]))
    return {"värdar": hosts_created, "platser": report.created}


# --- participants, bookings in every state, agreements and outcomes --------------------------

DEMO_PARTICIPANTS: list[tuple[str, str, str]] = [
    ("Amir", "Haddad", "kompetens"),
    ("Linnea", "Johansson", "hälsa"),
    ("Yusuf", "Ali", "vägledning"),
    ("Emma", "Svensson", "kompetens"),
    ("Hamid", "Rahimi", "kompetens"),
    ("Sofia", "Lindqvist", "hälsa"),
    ("Daniel", "Gustafsson", "kompetens"),
    ("Fatima", "Osman", "vägledning"),
    ("Oskar", "Eriksson", "kompetens"),
    ("Nour", "Khalil", "hälsa"),
    ("Elin", "Holm", "kompetens"),
    ("Mohammed", "Hassan", "kompetens"),
    ("Ida", "Larsson", "vägledning"),
    ("Ali", "Mohamud", "kompetens"),
    ("Hanna", "Nyström", "hälsa"),
    ("Samir", "Aziz", "kompetens"),
    ("Julia", "Ek", "kompetens"),
    ("Abdi", "Warsame", "vägledning"),
    ("Klara", "Sandberg", "hälsa"),
    ("Tomas", "Wikström", "kompetens"),
    ("Aisha", "Yusuf", "kompetens"),
    ("Viktor", "Lundgren", "hälsa"),
    ("Maryam", "Karimi", "vägledning"),
    ("Peter", "Axelsson", "kompetens"),
    ("Selam", "Tesfaye", "kompetens"),
    ("Ebba", "Forsberg", "hälsa"),
    ("Rami", "Saleh", "kompetens"),
    ("Lina", "Öberg", "vägledning"),
    ("Kevin", "Åström", "kompetens"),
    ("Zahra", "Hosseini", "hälsa"),
]
# What happens to each participant, by index. Completed and interrupted placements come first
# (they free their seat), then the seat-holding ones, so capacity holds throughout.
DEMO_SCENARIOS = (
    ["completed"] * 10
    + ["interrupted"] * 2
    + ["repeated"]
    + ["active", "active_long", "agreed", "agreed"]
    + ["accepted"] * 2
    + ["proposed"] * 3
    + ["declined"] * 2
    + ["withdrawn"]
    + ["none"] * 6
)
DEMO_OUTCOMES = (
    "arbete",
    "studier",
    "arbete",
    "annan_insats",
    "arbetsformedlingen",
    "arbete",
    "okant",
    "studier",
    "flyttat",
    "arbete",
)


def _demo_personnummer(index: int) -> str:
    """A valid (made-up) number; every fifth one is a samordningsnummer (day + 60). Born
    1970–2019 (the applications' numbers, from 60 on, were born in 2030 and later: refused
    as impossible when typed)."""
    from marketplace.kernel.luhn import luhn_check_digit

    year, month, day = 1970 + index % 50, 1 + index % 12, 1 + index % 27
    day += 60 if index % 5 == 4 else 0
    nine = f"{year % 100:02d}{month:02d}{day:02d}{100 + index:03d}"
    return f"{year}{month:02d}{day:02d}-{100 + index:03d}{luhn_check_digit(nine)}"


async def _member_hosts(username: str) -> set[int]:
    from employers.tables import HostMembership

    member = await User.select(User.id).where(User.username == username).first()
    if member is None:
        return set()
    rows = await HostMembership.select(HostMembership.host).where(
        HostMembership.user == member["id"]
    )
    return {int(r["host"]) for r in rows}


async def _demo_slots() -> tuple[list[int], list[int], list[int]]:
    """(slots at `vard`'s hosts, at `enhet`'s hosts, at other hosts): published, with a
    supervisor, one per host, so that demo placements never compete for one supervisor.
    `enhet`'s come in the order of `DEMO_ENHET_HOSTS` (the sheltered workshop last)."""
    from placements.tables import Slot

    vard_hosts = await _member_hosts("vard")
    enhet_hosts = await _member_hosts("enhet")
    slots = (
        await Slot.select(Slot.id, Slot.host, Slot.host.name.as_alias("host_name"))
        .where((Slot.status == "published") & Slot.supervisor.is_not_null())
        .order_by(Slot.id)
    )
    mine: list[int] = []
    units: dict[str, int] = {}
    others: list[int] = []
    seen: set[int] = set()
    for row in slots:
        host = int(row["host"])
        if host in seen:
            continue
        seen.add(host)
        if host in vard_hosts:
            mine.append(int(row["id"]))
        elif host in enhet_hosts:
            units[row["host_name"]] = int(row["id"])
        else:
            others.append(int(row["id"]))
    return mine, [units[n] for n in DEMO_ENHET_HOSTS if n in units], others


async def _demo_host_user(slot_id: int) -> AuthUser | None:
    from employers.tables import HostMembership
    from placements.tables import Slot

    slot = await Slot.select(Slot.host).where(Slot.id == slot_id).first()
    if slot is None:
        return None
    member = (
        await HostMembership.select(HostMembership.user)
        .where(HostMembership.host == slot["host"])
        .first()
    )
    if member is None:
        return None
    row = await User.select().where(User.id == member["user"]).first()
    return auth.to_auth_user(row, "token", None) if row else None


async def _host_answers(
    coordinator: AuthUser, slot_id: int, booking_id: int, *, decline_reason: str = ""
) -> None:
    """The host's answer to a proposal (a decline when `decline_reason` is given), by whoever
    gives it in real life: a user of the slot's host in the portal, else the slot's
    supervisor on the telephone, the answer recorded by the coordinator who took the call (the
    timeline then says "Svar per telefon från …"). The demo answered as the coordinator, so
    the timeline credited the host's answer, and its reason for declining, to the coordinator."""
    from employers.tables import Contact
    from placements.schemas import bookings as sb
    from placements.services import answers, bookings
    from placements.tables import Slot

    host_user = await _demo_host_user(slot_id)
    if host_user is not None:
        if decline_reason:
            await bookings.decline(host_user, booking_id, decline_reason)
        else:
            await bookings.accept(host_user, booking_id)
        return
    slot = await Slot.select(Slot.supervisor).where(Slot.id == slot_id).first()
    contact = (
        await Contact.select(Contact.name).where(Contact.id == slot["supervisor"]).first()
        if slot and slot["supervisor"]
        else None
    )
    await answers.record_phone_answer(
        coordinator,
        booking_id,
        sb.PhoneAnswer(
            answer="decline" if decline_reason else "accept",
            answered_by=contact["name"] if contact else "Handledaren",
            note=decline_reason or "Tackade ja till förslaget som det står.",
        ),
    )


async def _demo_placement(
    coordinator: AuthUser,
    candidate_id: int,
    slot_id: int,
    start: dt.date,
    end: dt.date,
    until: str,
    outcome: str = "",
) -> None:
    """Walk one booking through its life up to `until`, as the people involved would."""
    from placements.schemas import agreements as sa
    from placements.schemas import bookings as sb
    from placements.schemas import outcomes as so
    from placements.services import agreement_versions, agreements, bookings, outcomes
    from placements.tables import Booking, Candidate, FollowUp

    def on_day(day: dt.date) -> dt.datetime:
        """08:00 in Vårgårda on `day`: when the demo's history says a step happened."""
        return dt.datetime.combine(day, dt.time(8), tzinfo=clock.STOCKHOLM).astimezone(dt.UTC)

    from marketplace import demo_texts

    person = (
        await Candidate.select(Candidate.first_name).where(Candidate.id == candidate_id).first()
    )
    first_name = person["first_name"] if person else "Deltagaren"
    from placements import date_rules

    pick = candidate_id + slot_id
    # Each step is checked by the date table as of the day it happened in the demo's history.
    proposed_on = min(start, clock.today()) - dt.timedelta(days=21)
    with date_rules.as_of(proposed_on):
        booking = await bookings.propose(
            coordinator,
            sb.BookingCreate(
                slot_id=slot_id,
                candidate_id=candidate_id,
                message=demo_texts.PROPOSALS[pick % len(demo_texts.PROPOSALS)].format(
                    first=first_name
                ),
                start_date=start,
                end_date=end,
                # The demo sets up every state on purpose, also proposals to a full supervisor
                # and of participants who work fewer hours than the slot asks.
                confirm_capacity=True,
                confirm_hours=True,
            ),
        )
    if until == "proposed":
        return
    if until == "declined":
        reason = demo_texts.DECLINES[pick % len(demo_texts.DECLINES)]
        await _host_answers(coordinator, slot_id, booking.id, decline_reason=reason)
        return
    if until == "withdrawn":
        reason = demo_texts.WITHDRAWALS[pick % len(demo_texts.WITHDRAWALS)]
        await bookings.withdraw(coordinator, booking.id, reason)
        return
    await _host_answers(coordinator, slot_id, booking.id)
    if until == "accepted":
        return
    host_user = await _demo_host_user(slot_id)
    if host_user is None:
        return
    # The win-win, written before anyone signs: the coordinator writes the participant's
    # goals with them, the host its tasks and what it gains.
    await agreements.update_agreement(
        coordinator,
        booking.id,
        sa.AgreementUpdate(
            participant_goals=demo_texts.PARTICIPANT_GOALS[pick % len(demo_texts.PARTICIPANT_GOALS)]
        ),
    )
    await agreements.update_agreement(
        host_user,
        booking.id,
        sa.AgreementUpdate(
            tasks=demo_texts.AGREEMENT_TASKS[pick % len(demo_texts.AGREEMENT_TASKS)],
            host_gains=demo_texts.HOST_GAINS[pick % len(demo_texts.HOST_GAINS)],
            # Halfway through, at most two weeks in: within the period, as the rule asks.
            follow_up_meetings=[
                sa.FollowUpMeeting(date=start + dt.timedelta(days=min(14, (end - start).days // 2)))
            ],
        ),
    )
    current = await agreement_versions.current_agreement_row(booking.id)
    assert current is not None
    version = int(current["version"])
    await agreements.sign_in_app(coordinator, booking.id, seen_version=version)
    await agreements.sign_in_app(host_user, booking.id, seen_version=version)
    links = await agreements.issue_signing_links(coordinator, booking.id)
    for link in links.links:
        await agreements.sign_by_link(link.url.rsplit("/", 1)[1], seen_version=version)
    if until == "agreed":
        return
    with date_rules.as_of(start):
        await bookings.start(coordinator, booking.id)
    # The demo writes a history: the placement went active on its start day, not at the
    # moment the demo was seeded (else every figure counted from today: 6 hours for a
    # placement of 220 days).
    went_active = on_day(min(start, clock.today()))
    # The proposal and the host's answer came before the start, as in real life (else the
    # lead time "proposal to start" came out negative): three weeks and two weeks before,
    # but never before the participant was registered.
    registered = (
        await Candidate.select(Candidate.registered_at).where(Candidate.id == candidate_id).first()
    )
    first_day = registered["registered_at"] if registered else None
    proposed_day = min(start, clock.today()) - dt.timedelta(days=21)
    if first_day is not None:
        proposed_day = max(proposed_day, first_day)
    decided_day = min(proposed_day + dt.timedelta(days=7), min(start, clock.today()))
    await Booking.update(
        {
            Booking.started_at: went_active,
            Booking.proposed_at: on_day(proposed_day),
            Booking.decided_at: on_day(decided_day),
        }
    ).where(Booking.id == booking.id)
    # The history and the signatures tell the same story: proposed, answered, signed a few
    # days before the start, started (else every line of the timeline said "today, 08:00").
    signed_day = max(decided_day, min(start, clock.today()) - dt.timedelta(days=3))
    while signed_day.weekday() >= 5 and signed_day > decided_day:  # signed on a working day
        signed_day -= dt.timedelta(days=1)
    await _backdate(
        booking.id,
        {
            "proposed": on_day(proposed_day) + dt.timedelta(hours=1, minutes=12),
            "accepted": on_day(decided_day) + dt.timedelta(hours=5, minutes=40),
            "agreed": on_day(signed_day) + dt.timedelta(hours=7, minutes=30),
            "active": went_active,
        },
        signed=on_day(signed_day),
    )
    if until == "active":
        return
    with date_rules.as_of(end):
        await bookings.end(
            coordinator, booking.id, until, end, "" if until == "completed" else "Sjuk"
        )
    ended_on = on_day(min(end, clock.today()))
    await Booking.update({Booking.ended_at: ended_on}).where(Booking.id == booking.id)
    await _backdate(booking.id, {until: ended_on + dt.timedelta(hours=8)})
    await outcomes.submit_assessment(
        host_user,
        booking.id,
        so.AssessmentCreate(
            attendance="god" if until == "completed" else "varierande",
            tasks_mastered=demo_texts.MASTERED[pick % len(demo_texts.MASTERED)],
            strengths=demo_texts.STRENGTHS[pick % len(demo_texts.STRENGTHS)],
            recommendation="would_hire" if outcome == "arbete" else "recommend_further_training",
        ),
    )
    if outcome:
        with date_rules.as_of(end + dt.timedelta(days=7)):
            await outcomes.record_outcome(
                coordinator,
                booking.id,
                so.OutcomeCreate(
                    category=outcome,  # type: ignore[arg-type]
                    outcome_date=end + dt.timedelta(days=7),
                    subsidised=outcome == "arbete" and candidate_id % 2 == 0,
                    hired_by_host=outcome == "arbete" and candidate_id % 3 == 0,
                    lasts_at_least_one_month=True,
                    csn_eligible=True,
                ),
            )
        # A unit that follows up on time: follow-ups due more than five weeks ago were done
        # on their day (the person still where the outcome said); the recent ones wait, so
        # that each coordinator has some to do. They count 90 and 180 days from the end, a
        # week before the outcome's date.
        due = await FollowUp.select(FollowUp.id, FollowUp.due_date).where(
            (FollowUp.candidate == candidate_id)
            & (FollowUp.status == "due")
            & (FollowUp.due_date < clock.today() - dt.timedelta(days=35))
        )
        for row in due:
            await outcomes.complete_follow_up(
                coordinator,
                row["id"],
                so.FollowUpDone(
                    result_category=outcome,  # type: ignore[arg-type]
                    lasts_at_least_one_month=outcome == "arbete",
                    csn_eligible=outcome == "studier",
                    note=demo_texts.FOLLOW_UP_NOTES[(pick + row["id"]) % 3],
                ),
            )
            await FollowUp.update({FollowUp.done_at: on_day(row["due_date"])}).where(
                FollowUp.id == row["id"]
            )


async def _backdate(
    booking_id: int, events: dict[str, dt.datetime], signed: dt.datetime | None = None
) -> None:
    """Date the booking's timeline events (by the status they led to) and, given `signed`,
    its agreement and signatures, as they happened in the demo's story."""
    from placements.tables import Agreement, BookingEvent, Signature

    for status, at in events.items():
        await BookingEvent.update({BookingEvent.at: at}).where(
            (BookingEvent.booking == booking_id) & (BookingEvent.to_status == status)
        )
    if signed is None:
        return
    agreement_ids = [
        row["id"]
        for row in await Agreement.select(Agreement.id).where(Agreement.booking == booking_id)
    ]
    if not agreement_ids:
        return
    await Agreement.update({Agreement.created_at: signed - dt.timedelta(days=2)}).where(
        Agreement.id.is_in(agreement_ids)
    )
    # The parties sign over the day: the coordinator first, the participant last.
    order = {"coordinator": 0, "host": 1, "supervisor": 2, "participant": 3}
    for row in await Signature.select(Signature.id, Signature.party).where(
        Signature.agreement.is_in(agreement_ids) & Signature.signed_at.is_not_null()
    ):
        at = signed + dt.timedelta(hours=1 + 2 * order.get(row["party"], 0), minutes=17)
        await Signature.update({Signature.signed_at: at}).where(Signature.id == row["id"])


# Languages besides Swedish that the demo participants speak, in turn.
DEMO_LANGUAGES: tuple[tuple[str, ...], ...] = (
    (),
    ("Arabiska", "Engelska"),
    ("Somaliska",),
    ("Tigrinska/Tigrinja", "Engelska"),
    ("Dari", "Persiska/Farsi"),
    ("Engelska",),
    ("Ukrainska", "Ryska"),
    ("Polska",),
)


DEMO_GOALS = (
    "Ett arbete inom det yrke som praktiken prövar",
    "Komma tillbaka till arbetslivet i lugn takt, först på deltid",
    "Välja en utbildning efter att ha prövat yrket",
    "Få referenser och erfarenhet från en svensk arbetsplats",
)
# Which of the units' slots (in `DEMO_ENHET_HOSTS` order) or `vard`'s slots each past
# placement uses, by participant: most at open and municipal workplaces, two of the twelve at
# the sheltered workshop (participants on the health track), as 85/15 expects.
_PAST_SLOTS = (
    ("vard", 0), ("unit", 2), ("unit", 0), ("vard", 1), ("unit", 1), ("vard", 0),
    ("unit", 0), ("vard", 1), ("unit", 1), ("unit", 2), ("vard", 0), ("unit", 0),
)  # fmt: skip


def _demo_plan(
    index: int,
    scenario: str,
    past: int,
    today: dt.date,
    vard_slots: list[int],
    unit_slots: list[int],
    other_slots: list[int],
) -> list[tuple[int, dt.date, dt.date, str]]:
    """The placements a participant's scenario walks through: (slot, start, end, until)."""
    if scenario == "none" or not vard_slots or not other_slots:
        return []
    if scenario in ("completed", "interrupted"):
        start = today - dt.timedelta(days=420 - past * 30)
        which, n = _PAST_SLOTS[index % len(_PAST_SLOTS)]
        pool = unit_slots if which == "unit" and unit_slots else vard_slots
        return [(pool[n % len(pool)], start, start + dt.timedelta(days=27), scenario)]
    if scenario == "repeated":
        out = []
        for n in range(3):
            start = today - dt.timedelta(days=60 - n * 20)
            out.append(
                (vard_slots[n % len(vard_slots)], start, start + dt.timedelta(days=13), "completed")
            )
        return out
    if scenario in ("active", "active_long"):
        start = today - dt.timedelta(days=220 if scenario == "active_long" else 20)
        return [
            (vard_slots[index % len(vard_slots)], start, today + dt.timedelta(days=30), "active")
        ]
    if scenario == "agreed":
        start = today + dt.timedelta(days=45)
        return [
            (vard_slots[index % len(vard_slots)], start, start + dt.timedelta(days=60), "agreed")
        ]
    if scenario == "proposed":
        # A two-week trial between `vard`'s running placements (which end in 30 days) and
        # the agreed ones (which start in 45), when the supervisor who guides one at a time
        # is free: the host can accept it as proposed. The first accepted fills that
        # supervisor, so a second proposal for the same weeks shows the choice of another
        # supervisor or period.
        start = today + dt.timedelta(days=31)
        return [
            (vard_slots[index % len(vard_slots)], start, start + dt.timedelta(days=13), scenario)
        ]
    start = today + dt.timedelta(days=14)
    slot = (
        vard_slots[index % len(vard_slots)]
        if scenario == "declined"
        else other_slots[index % len(other_slots)]
    )
    return [(slot, start, start + dt.timedelta(days=60), scenario)]


async def load_demo_candidates() -> dict[str, int]:
    """About 30 participants of `samordnare` and `samordnare2`, with plans, health notes and
    bookings in every state on the demo slots. A participant is found by e-mail, and only a
    new participant gets bookings, so a second load changes nothing."""
    from marketplace.reference.taxonomy import languages
    from placements.schemas import candidates as sc
    from placements.services import candidates, lockin
    from placements.tables import Candidate

    language_id = {label: i for i, label in languages().items()}
    spoken = [
        [language_id[name] for name in ("Svenska", *extra) if name in language_id]
        for extra in DEMO_LANGUAGES
    ]

    coordinators = []
    for username in ("samordnare", "samordnare2"):
        row = await User.select().where(User.username == username).first()
        if row is not None:
            coordinators.append(auth.to_auth_user(row, "token", None))
    if not coordinators:
        return {"deltagare": 0}
    vard_slots, unit_slots, other_slots = await _demo_slots()
    today = clock.today()
    created = 0
    past = 0
    for index, (first, last, track) in enumerate(DEMO_PARTICIPANTS):
        email = demo_address(f"{first}.{last}", "deltagare.demo.example")
        if await Candidate.exists().where(Candidate.email == email):
            continue
        coordinator = coordinators[index % len(coordinators)]
        scenario = DEMO_SCENARIOS[index]
        placements = _demo_plan(index, scenario, past, today, vard_slots, unit_slots, other_slots)
        if scenario in ("completed", "interrupted"):
            past += 1
        # Registered two to eight weeks before the first proposal (the proposal comes three
        # weeks before a start in the past, or today for one still ahead); without a placement,
        # registered in the last two months.
        if placements:
            first_start = placements[0][1]
            proposed = min(first_start, today) - dt.timedelta(days=21)
            if first_start > today:
                proposed = today
            registered = proposed - dt.timedelta(days=14 + (index * 11) % 42)
        else:
            registered = today - dt.timedelta(days=5 + (index * 9) % 55)
        record = await candidates.create_candidate(
            coordinator,
            sc.CandidateCreate(
                first_name=first,
                last_name=last,
                personnummer=_demo_personnummer(index) if index % 4 else "",
                email=email,
                phone=f"070-{100000 + index * 7:06d}",
                track=track,  # type: ignore[arg-type]
                home_town=("Vårgårda", "Alingsås", "Herrljunga")[index % 3],
                hours_available=(20, 30, 40)[index % 3],
                driving_licence=index % 4 == 0,
                languages=spoken[index % len(spoken)],
                adaptations=[
                    sc.Adaptation(text="Behöver lugn arbetsmiljö", shareable=True),
                    sc.Adaptation(text="Behöver pauser för medicinering", shareable=False),
                ]
                if track == "hälsa"
                else [],
                plan_goal=DEMO_GOALS[index % len(DEMO_GOALS)],
                status="paused" if index == 28 else "exited" if index == 29 else "active",
                registered_at=registered,
                consent_date=registered,
                consent_method=("skriftligt", "muntligt", "digitalt")[index % 3],
            ),
        )
        created += 1
        if track == "hälsa":
            await candidates.add_health_note(
                coordinator,
                record.id,
                sc.HealthNoteCreate("Arbetsförmåga kartlagd tillsammans med vården."),
            )
        await candidates.add_plan_activity(
            coordinator,
            record.id,
            sc.PlanActivityCreate(
                title="Kartläggning av vill och kan",
                planned_start=registered,
                planned_end=registered + dt.timedelta(days=14),
                status="done",
                follow_up="Genomförd; praktik är nästa steg.",
            ),
        )
        outcome = DEMO_OUTCOMES[index % 10] if scenario == "completed" else "avbrutet"
        for slot, start, end, until in placements:
            await _demo_placement(
                coordinator,
                record.id,
                slot,
                start,
                end,
                until,
                "annan_insats" if scenario == "repeated" else outcome if until != "active" else "",
            )
    await _date_last_changes()
    flags = await lockin.flag_lock_in(today)
    return {"deltagare": created, "inlåsningsflaggor": flags.created}


# Open applications in the coordinators' queue (issue 18): (first, last, channel, received
# days ago, what happened: "" waiting, "booked" a meeting ahead, "video" one by video,
# "closed"). Found again by their reference, so a second load changes nothing.
DEMO_APPLICATIONS = [
    ("Nora", "Nyström", "web", 0, ""),
    ("Olle", "Ohlsson", "phone", 4, ""),
    ("Petra", "Persson", "eservice", 1, "booked"),
    ("Rami", "Rahimi", "web", 2, "video"),
    ("Sofia", "Svensson", "paper", 10, "closed"),
]
# The language an application was written in, where not Swedish, and its message in it: the
# queue shows staff whom to call with an interpreter.
DEMO_APPLICATION_LANGUAGES = {
    "Rami": ("ar", "أريد أن أعمل، ويفضل في متجر أو مستودع."),
}
DEMO_APPLICATION_MESSAGE = "Jag vill komma ut i arbete, gärna inom butik eller lager."


async def load_demo_applications() -> dict[str, int]:
    """A few applications in every state, and one behind each demo participant (received a
    day or two before registration, the meeting and the plan on the registration day), so
    the queue and the dashboard's intake clock have something to show."""
    from placements.tables import Application, Candidate, PlanningMeeting
    from placements.working_days import is_working_day

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=clock.STOCKHOLM).astimezone(
            dt.UTC
        )

    def working_day_before(day: dt.date, n: int) -> dt.date:
        while n > 0:
            day -= dt.timedelta(days=1)
            n -= 1 if is_working_day(day) else 0
        return day

    created = 0
    now = clock.now()
    today = clock.today()
    for index, (first, last, channel, days_ago, what) in enumerate(DEMO_APPLICATIONS):
        reference = f"demo-{index}"
        if await Application.exists().where(Application.external_id == reference):
            continue
        received = now - dt.timedelta(days=days_ago, minutes=30 + index * 7)
        language, message = DEMO_APPLICATION_LANGUAGES.get(first, ("sv", DEMO_APPLICATION_MESSAGE))
        state = {"": "received", "booked": "meeting_booked", "video": "meeting_booked"}.get(
            what, "closed"
        )
        application = Application(
            received_at=received,
            channel=channel,
            state=state,
            first_name=first,
            last_name=last,
            personnummer=_demo_personnummer(60 + index),
            phone=f"070-{200000 + index * 13:06d}",
            email=demo_address(f"{first}.{last}", "sokande.demo.example"),
            message=message,
            language=language,
            external_id=reference,
            closed_at=now if what == "closed" else None,
            close_reason="Tog tillbaka ansökan." if what == "closed" else "",
        )
        await application.save()
        created += 1
        if what in ("booked", "video"):
            day = today + dt.timedelta(days=1)
            while not is_working_day(day):
                day += dt.timedelta(days=1)
            await PlanningMeeting(
                application=application.id,
                uid=f"demo-{index}@praktikplatser.demo.example",
                starts_at=at(day, 10 if what == "booked" else 13, 30 if what == "video" else 0),
                place="Kompetenscentret, Kungsgatan 10, Vårgårda" if what == "booked" else "",
                video_link="https://video.demo.example/planeringsmote" if what == "video" else "",
            ).save()
    joined = {
        int(r["candidate"])
        for r in await Application.select(Application.candidate).where(
            Application.candidate.is_not_null()
        )
    }
    channels = ("web", "phone", "eservice", "paper")
    for person in await Candidate.select().order_by(Candidate.id):
        if int(person["id"]) in joined or not person["email"].endswith("deltagare.demo.example"):
            continue
        registered = person["registered_at"]
        number = int(person["id"])
        received_day = working_day_before(registered, (0, 1, 1, 2)[number % 4])
        application = Application(
            received_at=at(received_day, 8 + number % 8, 5 * (number % 12)),
            channel=channels[number % 4],
            state="plan_started",
            first_name=person["first_name"],
            last_name=person["last_name"],
            personnummer=person["personnummer"],
            phone=person["phone"],
            email=person["email"],
            candidate=number,
            plan_started_at=at(registered, 11),
        )
        await application.save()
        await PlanningMeeting(
            application=application.id,
            uid=f"demo-plan-{number}@praktikplatser.demo.example",
            starts_at=at(registered, 10),
            place="Kompetenscentret, Kungsgatan 10, Vårgårda",
            status="held",
        ).save()
        created += 1
    return {"ansökningar": created}


async def _date_last_changes() -> None:
    """Each participant was last changed when their history last moved (a booking step), or
    on the day they were registered: the list's "Senast ändrad" then reads like a working
    unit's, not the minute the demo was loaded."""
    from placements.tables import BookingEvent, Candidate

    latest: dict[int, dt.datetime] = {}
    for row in await BookingEvent.select(BookingEvent.at, BookingEvent.booking.candidate):
        person = row["booking.candidate"]
        if person not in latest or row["at"] > latest[person]:
            latest[person] = row["at"]
    for person in await Candidate.select(Candidate.id, Candidate.registered_at):
        registered = dt.datetime.combine(
            person["registered_at"], dt.time(9), tzinfo=clock.STOCKHOLM
        ).astimezone(dt.UTC)
        changed = latest.get(person["id"], registered)
        await Candidate.update({Candidate.updated_at: max(changed, registered)}).where(
            Candidate.id == person["id"]
        )


# --- partner agencies (issue 18) --------------------------------------------------------------

DEMO_AGREEMENTS = [
    ("Arbetsförmedlingen", "Lokal överenskommelse om samverkan i Vårgårda", "Af-2026/1187"),
    ("Försäkringskassan", "Samverkan kring unga med aktivitetsersättning", "FK 2026/044"),
]
# Participants of `samordnare` who agreed that Arbetsförmedlingen sees their placements:
# (first name, last name, shares outcome, shares attendance).
DEMO_PARTNER_CONSENTS = [
    ("Amir", "Haddad", True, True),
    ("Hanna", "Nyström", False, True),
    ("Yusuf", "Ali", True, False),
]


async def load_demo_partners() -> dict[str, int]:
    """Arbetsförmedlingen and Försäkringskassan with a local agreement each, the demo user
    `partner` bound to Arbetsförmedlingen, and consents of a few of Sara's participants with
    a placement. Found by name and e-mail, so a second load changes nothing."""
    from placements.tables import (
        Candidate,
        LocalAgreement,
        PartnerAgency,
        PartnerConsent,
        PartnerContact,
    )

    today = clock.today()
    created = 0
    agreement_of: dict[str, int] = {}
    for agency_name, agreement_name, reference in DEMO_AGREEMENTS:
        agency = (
            await PartnerAgency.select(PartnerAgency.id)
            .where(PartnerAgency.name == agency_name)
            .first()
        )
        if agency is None:
            rows = await PartnerAgency.insert(PartnerAgency(name=agency_name)).returning(
                PartnerAgency.id
            )
            agency = rows[0]
            created += 1
        found = (
            await LocalAgreement.select(LocalAgreement.id)
            .where(
                (LocalAgreement.agency == agency["id"]) & (LocalAgreement.name == agreement_name)
            )
            .first()
        )
        if found is None:
            found = (
                await LocalAgreement.insert(
                    LocalAgreement(
                        agency=agency["id"],
                        name=agreement_name,
                        reference=reference,
                        valid_from=dt.date(today.year, 1, 1),
                        valid_to=dt.date(today.year + 1, 12, 31),
                    )
                ).returning(LocalAgreement.id)
            )[0]
        agreement_of[agency_name] = int(found["id"])
    partner = await User.select(User.id).where(User.username == "partner").first()
    af = (
        await PartnerAgency.select(PartnerAgency.id)
        .where(PartnerAgency.name == "Arbetsförmedlingen")
        .first()
    )
    if (
        partner
        and af
        and not await PartnerContact.exists().where(PartnerContact.user == partner["id"])
    ):
        await PartnerContact.insert(PartnerContact(user=partner["id"], agency=af["id"]))
    sara = await User.select(User.id).where(User.username == "samordnare").first()
    consents = 0
    for first, last, outcome, attendance in DEMO_PARTNER_CONSENTS:
        person = (
            await Candidate.select(Candidate.id, Candidate.registered_at)
            .where(Candidate.email == demo_address(f"{first}.{last}", "deltagare.demo.example"))
            .first()
        )
        if person is None or await PartnerConsent.exists().where(
            PartnerConsent.candidate == person["id"]
        ):
            continue
        await PartnerConsent.insert(
            PartnerConsent(
                candidate=person["id"],
                agreement=agreement_of["Arbetsförmedlingen"],
                given_on=max(person["registered_at"], dt.date(today.year, 1, 1)),
                method="skriftligt",
                shares_outcome=outcome,
                shares_attendance=attendance,
                recorded_by=sara["id"] if sara else None,
            )
        )
        consents += 1
    return {"myndigheter": created, "samtycken": consents}


def _picked(labels: list[str], drawn: list[int]) -> list[str]:
    """The labels at the drawn places (of a longer list, wrapped around), each once."""
    return list(dict.fromkeys(labels[i % len(labels)] for i in drawn)) if labels else []
