"""The audit log in Swedish, for the log review page (/loggkontroll).

The log stores codes ("candidate.read", subject type "candidate", "admin (admin)") and free
details that may name fields ("bokning 3: host_gains, tasks") or statuses ("proposed →
accepted"). The stored rows never change; this module says them in Swedish when a person
reads them. The CSV export keeps the codes, for programs.
"""

from __future__ import annotations

import re

from marketplace.kernel.db import swedish_key
from marketplace.kernel.templating import LABELS, actor, label

# Each action, as the log review shows it.
ACTIONS = {
    "agreement.consent": "Överenskommelsen ändrad efter deltagarens samtycke",
    "agreement.links": "Länkar för underskrift skickade",
    "agreement.read": "Överenskommelsen läst",
    "agreement.sign": "Överenskommelsen undertecknad",
    "agreement.sign.paper": "Underskrift på papper registrerad",
    "agreement.update": "Överenskommelsen ändrad",
    "agreement.sign.own_pages": "Överenskommelsen undertecknad av deltagaren på Mina sidor",
    "assessment.participant_view": "Bedömningen visad för deltagaren",
    "assessment.read": "Bedömningen läst",
    "assessment.submit": "Bedömningen inskickad",
    "audit.export": "Loggen exporterad",
    "audit.review": "Loggen granskad",
    "booking.list": "Bokningar listade",
    "booking.read": "Bokningen läst",
    "candidate.anonymise": "Deltagaren anonymiserad",
    "candidate.create": "Deltagaren registrerad",
    "candidate.extract": "Registerutdrag taget",
    "candidate.list": "Deltagare listade",
    "candidate.match": "Deltagaren matchad mot platser",
    "candidate.read": "Deltagaren läst",
    "candidate.update": "Deltagaren ändrad",
    "participant.answer": "Deltagaren svarade på ett förslag på Mina sidor",
    "participant.end_read": "Avslutad praktik läst av deltagaren på Mina sidor",
    "participant.end_view": "Deltagarens egen bild av praktiken sparad på Mina sidor",
    "participant.interest": "Deltagaren visade intresse för en plats på Mina sidor",
    "participant.interest_remove": "Deltagaren tog bort ett intresse på Mina sidor",
    "participant.interests_read": "Deltagarens intressen lästa",
    "participant.language": "Deltagaren valde språk på Mina sidor",
    "participant.link": "Inloggningslänk till Mina sidor skickad",
    "participant.demo_link": "Inloggningslänk till Mina sidor visad i demons konsol",
    "participant.overview": "Översikten på Mina sidor läst av deltagaren",
    "participant.plan": "Planen läst av deltagaren på Mina sidor",
    "participant.proposals": "Förslagen lästa av deltagaren på Mina sidor",
    "participant.sign_in": "Deltagaren loggade in på Mina sidor",
    "participant.sign_out": "Deltagaren loggade ut från Mina sidor",
    "contact.create": "Kontaktperson tillagd",
    "contact.deactivate": "Kontaktperson avslutad",
    "contact.update": "Kontaktperson ändrad",
    "everyday_word.add": "Vardagsord tillagt",
    "everyday_word.remove": "Vardagsord borttaget",
    "attendance.read": "Närvaron läst",
    "attendance.report": "Närvaro rapporterad för en vecka",
    "attendance.withdraw": "Närvarorapport för en vecka borttagen",
    "attendance.statement": "Närvarosammanställning för en månad läst",
    "follow_up.done": "Uppföljning gjord",
    "follow_up.list": "Uppföljningar listade",
    "health_note.create": "Hälsoanteckning skriven",
    "health_note.read": "Hälsoanteckningar lästa",
    "host.create": "Värd registrerad",
    "host.invitation_accepted": "Inbjudan till värd antagen",
    "host.invite": "Inbjudan till värd skickad",
    "host.pause": "Värd pausad",
    "host.resume": "Värd återupptagen",
    "host.update": "Värdens uppgifter ändrade",
    "host_application.approve": "Intresseanmälan godkänd",
    "host_application.reject": "Intresseanmälan avslagen",
    "host_application.submit": "Intresseanmälan inskickad",
    "lock_in.flag": "Flagga för inlåsning väckt",
    "lock_in.list": "Flaggor för inlåsning listade",
    "lock_in.resolve": "Flagga för inlåsning löst",
    "outbox.read": "Mejl i utkorgen läst",
    "outcome.correct": "Utfall rättat",
    "outcome.create": "Utfall registrerat",
    "outcome.read": "Utfall läst",
    "participant.read": "Deltagaren läst av värden",
    "plan.create": "Aktivitet tillagd i planen",
    "plan.delete": "Aktivitet borttagen ur planen",
    "plan.read": "Planen läst",
    "plan.update": "Planen ändrad",
    "slot.close": "Platsen stängd",
    "slot.create": "Platsen skapad",
    "slot.delete": "Platsen borttagen",
    "slot.pause": "Platsen pausad",
    "slot.publish": "Platsen publicerad",
    "slot.read": "Platsen läst",
    "slot.update": "Platsen ändrad",
    "slots.import": "Platser importerade",
    "unit_target.set": "Mål för kommunal enhet satt",
    "agreement.link": "Överenskommelsen läst via länk",
    "booking.accept_options": "Val för att acceptera förslaget visade",
    "booking.supervisor": "Handledaren bytt",
    "booking.answer_link": "Förslaget läst via svarslänk",
    "booking.answer_link.accept": "Förslaget accepterat via svarslänk",
    "booking.answer_link.decline": "Förslaget avböjt via svarslänk",
    "booking.answer_links": "Svarslänkar skickade till värden",
    "booking.answer_links.read": "Svarslänkarna visade",
    "booking.phone_answer": "Värdens svar per telefon registrerat",
    "candidate.possible_duplicate": "Möjlig dubblett av deltagare anmäld",
    "candidate.search_personnummer": "Deltagare sökt på personnummer",
    "search_lift.on": "Inlärda lyft i sökningen påslagna",
    "search_lift.off": "Inlärda lyft i sökningen avstängda",
    "user.password_link": "Länk för nytt lösenord skickad",
    "user.password_link_asked": "Länk för nytt lösenord begärd via ”Glömt lösenordet?”",
    "user.password_set": "Lösenord valt via länk",
    "user.password_changed": "Lösenordet bytt av användaren själv",
    "user.totp_reset": "Tvåstegsverifiering återställd",
    "user.totp_on": "Tvåstegsverifiering påslagen",
    "user.totp_off": "Tvåstegsverifiering avstängd för att byta app",
    "intake.submit": "Ansökan om stöd inskickad via webbformuläret",
    "intake.register": "Ansökan om stöd registrerad av samordnare",
    "intake.import": "Ansökan om stöd mottagen från e-tjänsten",
    "intake.list": "Ansökan visad i kön",
    "intake.read": "Ansökan läst",
    "intake.meeting_book": "Planeringsmöte bokat",
    "intake.meeting_change": "Planeringsmöte flyttat",
    "intake.meeting_cancel": "Planeringsmöte avbokat",
    "intake.no_show": "Sökande kom inte till planeringsmötet",
    "intake.plan_start": "Plan upprättad, sökande blev deltagare",
    "intake.joined_participant": "Ansökan kopplad till befintlig deltagare",
    "intake.correct_personnummer": "Personnumret i ansökan rättat",
    "intake.close": "Ansökan avslutad",
    # Partner agencies (issue 18)
    "partner.list": "Deltagaren listad för en partnerkontakt",
    "partner.read": "Deltagarens placeringar lästa av en partnerkontakt",
    "partner_agency.create": "Samverkande myndighet tillagd",
    "local_agreement.create": "Lokal överenskommelse tillagd",
    "local_agreement.update": "Lokal överenskommelse ändrad",
    "partner_consent.create": "Samtycke till samverkan registrerat",
    "partner_consent.withdraw": "Samtycke till samverkan återkallat",
    "partner_consent.replace": "Samtycke till samverkan ersatt av ett nytt",
}
# For an action not listed above: what it is about, and what happened to it.
OBJECTS = {
    "agreement": "Överenskommelse",
    "assessment": "Bedömning",
    "audit": "Loggen",
    "booking": "Bokning",
    "candidate": "Deltagare",
    "contact": "Kontaktperson",
    "everyday_word": "Vardagsord",
    "follow_up": "Uppföljning",
    "health_note": "Hälsoanteckning",
    "host": "Värd",
    "host_application": "Intresseanmälan",
    "lock_in": "Flagga för inlåsning",
    "outbox": "Utkorgen",
    "outcome": "Utfall",
    "participant": "Deltagare",
    "plan": "Plan",
    "slot": "Plats",
    "slots": "Platser",
    "token": "API-nyckel",
    "unit_target": "Mål för kommunal enhet",
    "user": "Användare",
}
VERBS = {
    "create": "skapad",
    "read": "läst",
    "list": "listade",
    "update": "ändrad",
    "delete": "borttagen",
    "remove": "borttagen",
    "add": "tillagd",
    "export": "exporterad",
    "correct": "rättad",
    "disable": "avstängd",
    "enable": "aktiverad",
    "reset": "återställd",
    "revoke": "återkallad",
}
SUBJECTS = {
    "candidate": "deltagare",
    "slot": "plats",
    "host": "värd",
    "contact": "kontaktperson",
    "application": "intresseanmälan",
    "intake": "ansökan",
    "audit_log": "loggen",
    "everyday_word": "vardagsord",
    "booking": "bokning",
    "user": "användare",
    "token": "API-nyckel",
    "partner_agency": "myndighet",
    "local_agreement": "lokal överenskommelse",
    "search_lift": "sökningens inlärda lyft",
}
# Field names that details list ("bokning 3: host_gains, tasks"), and other codes in them.
FIELDS = {
    "learned_lift": "inlärda lyft",
    "adaptations": "anpassningar",
    "adaptations_shared": "delade anpassningar",
    "address": "adress",
    "active": "aktiv",
    "capacity": "antal platser",
    "category": "utfall",
    "consent_date": "samtyckesdatum",
    "consent_method": "samtyckessätt",
    "coordinator_id": "samordnare",
    "description": "beskrivning",
    "digest_mail": "sammanfattningsmejl",
    "driving_licence": "körkort",
    "email": "e-post",
    "end_date": "slutdatum",
    "experience": "erfarenhet",
    "first_name": "förnamn",
    "follow_up": "uppföljning",
    "follow_up_meetings": "uppföljningsmöten",
    "home_town": "hemort",
    "host_gains": "vad värden får",
    "hours_available": "tillgängliga timmar",
    "hours_per_week": "timmar i veckan",
    "interests": "intressen",
    "is_public_contact": "visas på platsens sida",
    "is_supervisor": "handledare",
    "kind": "typ",
    "languages": "språk",
    "last_name": "efternamn",
    "latitude": "latitud",
    "longitude": "longitud",
    "max_commute_km": "längsta pendling",
    "name": "namn",
    "needs": "behov",
    "occupation_id": "yrke",
    "org_number": "organisationsnummer",
    "participant_goals": "deltagarens mål",
    "personnummer": "personnummer",
    "phone": "telefon",
    "plan_goal": "planens mål",
    "plan_goal_shareable": "målet får delas",
    "role": "roll",
    "sector": "bransch",
    "setting": "typ av arbetsplats",
    "skills": "kompetenser",
    "start_date": "startdatum",
    "status": "status",
    "supervision_capacity": "kan handleda samtidigt",
    "supervisor_id": "handledare",
    "tasks": "uppgifter",
    "title": "rubrik",
    "town": "ort",
    "track": "spår",
    "tracks": "spår",
    "weekly_schedule": "schema",
    "wished_occupations": "önskade yrken",
    "invitation": "inbjudan",
    "slot": "plats",
    "candidate": "deltagare",
    "booking": "bokning",
    "user": "användare",
    "html": "webbsida",
    "json": "JSON",
    "long_placement": "lång placering",
    "repeated_placements": "upprepade placeringar",
    "reference": "referens",
    "valid_from": "gäller från",
    "valid_to": "gäller till",
}
_WORD = re.compile(r"\b[a-z][a-z_]*\b")


def action_text(code: str) -> str:
    """A stored action in Swedish: "candidate.read" → "Deltagaren läst"."""
    if code in ACTIONS:
        return ACTIONS[code]
    subject, _, verb = code.partition(".")
    if subject == "booking" and verb in LABELS["booking_status"]:
        return f"Bokningen {label(verb, 'booking_status')}"
    if subject in OBJECTS and verb in VERBS:
        return f"{OBJECTS[subject]} {VERBS[verb]}"
    return code


def action_choices() -> list[tuple[str, str]]:
    """The events the review page filters by, as (code, Swedish text), in Swedish order of
    their text: every action named above and every status a booking moves to."""
    codes = {*ACTIONS, *(f"booking.{s}" for s in LABELS["booking_status"])}
    return sorted(((c, action_text(c)) for c in codes), key=lambda pair: swedish_key(pair[1]))


def is_action(code: str) -> bool:
    """Whether a code is an event the log records and the page can name."""
    return action_text(code) != code


def subject_text(subject_type: str, subject_id: int | None) -> str:
    """What a row is about: "deltagare 12"."""
    name = SUBJECTS.get(subject_type, subject_type)
    return f"{name} {subject_id}" if subject_id is not None else name


def detail_text(detail: str) -> str:
    """A stored detail with its field names, statuses and outcome codes in Swedish."""

    def word(match: re.Match[str]) -> str:
        code = match.group(0)
        for kind in ("booking_status", "outcome"):
            if code in LABELS[kind]:
                return label(code, kind)
        return FIELDS.get(code, code)

    return _WORD.sub(word, detail)


def actor_text(actor_label: str) -> str:
    """Who: "admin (admin)" → "admin (administratör)"."""
    return actor(actor_label)
