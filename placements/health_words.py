"""Swedish words that name a person's health, as the starts of words: diagnoses, illnesses,
medication, disability, addiction and mental health. A text a host reads may not say them
(`placements.host_texts`): health data is sensitive under the GDPR and protected by secrecy,
and a host needs only what the placement needs, which is written as an adaptation ("behöver
pauser"), never as its cause.

Each entry is the start of a word, folded as `host_texts.fold` folds (lower case, å and ä as
a, ö as o, é as e), so that "epilep" finds "epilepsi" and "epileptiker", and "medicin" finds
"medicinen". A stem matches only at the start of a word: "diabet" finds "diabetiker" but
"sjukhus" is no "sjukdom". Words that start like a stem but are ordinary job words are in
`ALLOWED`, which is removed from the text before the stems are looked for.

Curated by hand; a stem that also starts a common everyday word is left out ("sjuk" starts
"sjukhus" and "sjuksköterska", "beroende" is also "beroende på", "drog" is also "drog iväg",
"psykiatri" is a workplace).
"""

from __future__ import annotations

HEALTH_STEMS: tuple[str, ...] = (
    # Illness and diagnosis in general.
    "diagnos",
    "sjukdom",
    "sjukskriv",
    "sjukersattn",
    "ohalsa",
    "halsoproblem",
    "halsotillstand",
    "halsoskal",
    "besvar med halsan",
    # Illnesses.
    "epilep",
    "diabet",
    "astma",
    "allergi",
    "allergisk",
    "cancer",
    "tumor",
    "migran",
    "reumat",
    "fibromyalgi",
    "hjartinfarkt",
    "hjartsjuk",
    "stroke",
    "hjarnskad",
    "whiplash",
    "ryggskad",
    "diskbrack",
    "hiv",
    "hepatit",
    "kol-sjuk",
    "gravid",
    # Medication.
    "medicin",
    "lakemedel",
    "insulin",
    "antidepress",
    "psykofarmak",
    "metadon",
    "subutex",
    "buprenorfin",
    "sobril",
    "tabletter",
    # Disability.
    "funktionsnedsat",
    "funktionshind",
    "funktionsvariat",
    "handikapp",
    "rorelsehind",
    "rullstol",
    "horselskad",
    "horselnedsat",
    "dov",
    "synskad",
    "synnedsat",
    "blind",
    "utvecklingsstor",
    "dyslexi",
    "dyskalkyli",
    # Neuropsychiatric conditions.
    "adhd",
    "autis",
    "asperger",
    "npf",
    "neuropsyk",
    "tourette",
    # Mental health.
    "psykisk",
    "psykos",
    "psykotisk",
    "depressi",
    "deprimer",
    "angest",
    "panikangest",
    "bipol",
    "schizofren",
    "personlighetsstor",
    "ptsd",
    "ocd",
    "tvangssyndrom",
    "utbrand",
    "utmattningssyndrom",
    "utmattningsdepr",
    "atstorning",
    "anorexi",
    "bulimi",
    "sjalvmord",
    "sjalvskad",
    "terapi",
    # Addiction.
    "missbruk",
    "beroendeprobl",
    "spelberoend",
    "spelmissbr",
    "alkoholi",
    "alkoholprobl",
    "narkoman",
    "narkotik",
    "abstinens",
)

# Job words that start like a stem above: removed before the stems are looked for, so that a
# slot in medical technology or a medical secretary's work is no health word.
ALLOWED: tuple[str, ...] = (
    r"medicintekn\w*",
    r"medicinsk\w* sekreterar\w*",
    r"medicinsk\w* fotterap\w*",
    r"medicinsk\w* teknik\w*",
    r"medicinsk\w* vaktmast\w*",
    r"terapibad\w*",
)
