"""Demo data: a realistic Vårgårda-area data set. Loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from marketplace import auth
from marketplace.tables import User

DEMO_PASSWORD = "praktik-demo-2026"  # noqa: S105 - documented demo login

DEMO_USERS = [
    ("admin", "admin", "Alva", "Admin", "it"),
    ("samordnare", "coordinator", "Sara", "Samordnare", "kompetenscenter"),
    ("samordnare2", "coordinator", "Omar", "Oskarsson", "kompetenscenter"),
    ("vard", "host", "Henrik", "Värdsson", ""),
    ("analytiker", "analyst", "Anna", "Analytiker", ""),
]


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


async def load_demo() -> dict[str, int]:
    """Load every part of the demo data set; return counts of what was created now."""
    return {"användare": await load_demo_users(), **await load_demo_hosts()}


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
]
DEMO_PAUSED_HOST = "Vänersborg Cykel AB"  # shows a host that paused and kept its account
DEMO_VARD_HOSTS = ("Vårgårda Bygg AB", "Vårgårda Däck & Service AB")
DEMO_ADAPTATIONS = (
    "deltid möjlig",
    "lugn miljö",
    "flexibla tider",
    "stöd av handledare",
    "inga tunga lyft",
    "möjlighet till pauser",
)
DEMO_FIRST_NAMES = ("Maja", "Erik", "Leila", "Johan", "Sara", "Ahmed", "Karin", "Nils", "Amina")
DEMO_LAST_NAMES = ("Andersson", "Berg", "Karlsson", "Lind", "Nilsson", "Olsson", "Persson")


def _demo_org_number(index: int, kind: str) -> str:
    from employers.services.orgnr import luhn_check_digit

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
    from placements.exchange import import_slots
    from search.taxonomy import groups, occupations, skills

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
        email = f"{supervisor.split()[0].lower()}.{index}@demo-vard.example"
        public = f"Kontakt {name.split(',')[0]}"
        contacts = (
            Contact(
                host=host_id, name=supervisor, email=email, role="Handledare", is_supervisor=True
            ),
            Contact(
                host=host_id,
                name=public,
                email=f"info.{index}@demo-vard.example",
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
            year = dt.date.today().year
            if not await UnitTarget.exists().where(
                (UnitTarget.host == host_id) & (UnitTarget.year == year)
            ):
                await UnitTarget.insert(UnitTarget(host=host_id, year=year, target=target_places))
        for n in range(5):
            occupation = by_label.get(labels[n % len(labels)])
            if occupation is None:
                continue
            group = groups().get(occupation.group_id)
            skill_ids = list(group.skill_ids) if group else []
            label = occupation.names[0]
            status = "draft" if n == 4 and index % 3 == 0 else "published"
            row: dict[str, object] = {
                "external_id": f"demo-{index}-{n}",
                "status": status,
                "host": {"name": name, "kind": kind, "org_number": org_number, "town": town},
                "kind": "arbetsträning" if rng.random() < 0.4 else "praktik",
                "title": rng.choice(
                    (label, f"Praktik som {label.lower()}", f"{label} – {sector.lower()}")
                ),
                "occupation_id": occupation.id,
                "description": f"Hos {name} i {town}. "
                + (group.definition.split(". ")[0].rstrip(".") + "." if group else ""),
                "skills": [skills()[s] for s in rng.sample(skill_ids, min(3, len(skill_ids)))],
                "town": town,
                "capacity": rng.choice((1, 1, 2, 3)),
                "hours_per_week": rng.choice((15, 20, 25, 30, 40)),
                "tracks": sorted(
                    rng.sample(["kompetens", "hälsa", "vägledning"], rng.randint(1, 3))
                ),
                "adaptations": rng.sample(DEMO_ADAPTATIONS, rng.randint(0, 3)),
                "requirements": {"driving_licence": rng.random() < 0.1},
            }
            # Most slots name their supervisor; a few wait for the host to name one.
            if (index + n) % 7 != 0:
                row["supervisor"] = {"name": supervisor, "email": email}
            rows.append(row)
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    report = await import_slots(data, "jsonl", source="demo")
    vard = await User.select(User.id).where(User.username == "vard").first()
    if vard is not None:
        for name in DEMO_VARD_HOSTS:
            host = await Host.select(Host.id).where(Host.name == name).first()
            if host and not await HostMembership.exists().where(
                (HostMembership.user == vard["id"]) & (HostMembership.host == host["id"])
            ):
                await HostMembership.insert(HostMembership(user=vard["id"], host=host["id"]))
    return {"värdar": hosts_created, "platser": report.created}
