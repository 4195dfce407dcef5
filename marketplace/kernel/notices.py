"""The confirmation after an action: one mechanism for every form that redirects.

A form's handler answers with a redirect to the page the person lands on, with the code of
what was done in the query (`?klart=plats-publicerad`); the landing page (base.html) shows
that notice's Swedish text in a status message (role="status"). Every confirmation text is in
this file. A query flag rather than a session flash, because some actions end the session
(signing out) or happen before there is one (signing in), and the notice must not depend on
it. Only the codes below are shown; any other value is ignored, and a value filled into a
text (`ord`) comes from the query and is escaped like all page text.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter
from typing import Any
from urllib.parse import quote, urlencode

PARAM = "klart"
MAX_VALUE = 200


@dataclass(frozen=True)
class Notice:
    text: str  # may name values from the query: "Ordet ”{ord}” är tillagt."
    link_text: str = ""  # an optional next step, e.g. "Prova att söka på det"
    link: str = ""  # its address; values are URL-encoded: "/platser?q={ord}"


NOTICES: dict[str, Notice] = {
    # Intake: applications and the planning meeting (placements, issue 18)
    "ansokan-registrerad": Notice("Ansökan är registrerad. Boka planeringsmötet här nedan."),
    "mote-bokat": Notice("Planeringsmötet är bokat och inbjudan är skickad med e-post."),
    "mote-flyttat": Notice("Planeringsmötet är flyttat och sökande har fått den nya tiden."),
    "mote-bokat-utan-mejl": Notice(
        "Planeringsmötet är sparat. Sökande har ingen e-postadress: ring och berätta tiden."
    ),
    "mote-avbokat": Notice("Planeringsmötet är avbokat. Boka en ny tid."),
    "mote-uteblev": Notice("Det är noterat att sökande inte kom. Boka en ny tid."),
    "plan-upprattad": Notice("Planen är upprättad och sökande är nu deltagare."),
    "plan-kopplad": Notice(
        "Planen är upprättad. Sökande var redan deltagare hos en annan samordnare; ansökan är "
        "kopplad dit och samordnaren har fått besked."
    ),
    "personnummer-rattat": Notice("Personnumret i ansökan är rättat."),
    "personnummer-samma": Notice("Personnumret var redan det. Inget är ändrat."),
    "ansokan-avslutad": Notice("Ansökan är avslutad."),
    # Signing in and out (marketplace)
    "inloggad": Notice("Du är inloggad."),
    "utloggad": Notice("Du är utloggad."),
    # The user's own account (Mitt konto) and an admin's view of a user's keys (kernel, admin)
    "api-nyckel-aterkallad": Notice(
        "API-nyckeln är återkallad. Den fungerar inte längre och kan inte tas tillbaka."
    ),
    "losenord-bytt": Notice(
        "Lösenordet är bytt. Du har loggats ut överallt utom här; dina API-nycklar fungerar som "
        "förut."
    ),
    "tvasteg-pa": Notice(
        "Tvåstegsverifieringen är på. Nästa gång du loggar in anger du också koden från appen."
    ),
    # The host's organisation, contacts and the coordinator's decisions (employers)
    "uppgifter-sparade": Notice("Ändringen är sparad."),
    "mal-sparat": Notice("Målet för antal platser är sparat."),
    "kontakt-tillagd": Notice("Kontaktpersonen är tillagd."),
    "kontakt-sparad": Notice("Kontaktpersonen är sparad."),
    "kontakt-avslutad": Notice("Kontaktpersonen är avslutad."),
    "kontakt-ateraktiverad": Notice("Kontaktpersonen är aktiv igen."),
    "kontakt-redan-aktiv": Notice("Kontaktpersonen är redan aktiv. Inget har ändrats."),
    "anmalan-godkand": Notice("Anmälan är godkänd och kontaktpersonen har fått en inbjudan."),
    "anmalan-avslagen": Notice("Anmälan är avslagen."),
    # The host's slots and bookings (placements, host portal)
    "plats-sparad": Notice("Platsen är sparad."),
    "plats-redan-sparad": Notice(
        "Platsen var redan sparad: formuläret skickades två gånger. Ändra den här om något ska "
        "vara annorlunda."
    ),
    "plats-publicerad": Notice("Platsen är publicerad. Den syns nu i sökningen."),
    "plats-pausad": Notice(
        "Platsen är pausad. Den syns inte i sökningen förrän ni publicerar den igen."
    ),
    "plats-stangd": Notice("Platsen är stängd. Du kan öppna den igen."),
    "plats-oppnad": Notice("Platsen är öppnad igen och pausad. Publicera den när den ska synas."),
    "forslag-accepterat": Notice("Ni har accepterat förslaget. Nästa steg är överenskommelsen."),
    "forslag-avbojt": Notice("Ni har avböjt förslaget. Samordnaren har fått besked."),
    "forslag-redan-accepterat": Notice(
        "Ni har redan tackat ja till förslaget. Inget har ändrats: svaret skickades två gånger."
    ),
    "forslag-redan-avbojt": Notice(
        "Ni har redan tackat nej till förslaget. Inget har ändrats: svaret skickades två gånger."
    ),
    "overenskommelse-undertecknad": Notice("Överenskommelsen är undertecknad."),
    "bedomning-skickad": Notice("Tack! Bedömningen är inskickad."),
    "placering-avslutad-vard": Notice(
        "Placeringen är avslutad och samordnaren har fått besked. Fyll i bedömningen nedan."
    ),
    # The coordinator's participants, proposals and bookings (placements, workbench)
    "deltagare-registrerad": Notice("Deltagaren är registrerad."),
    "profil-sparad": Notice("Profilen är sparad."),
    # A home town the gazetteer does not know is saved, but gives no distances: said at once.
    "deltagare-registrerad-okand-ort": Notice(
        "Deltagaren är registrerad, men hemorten finns inte i ortslistan. Avståndet till "
        "platserna kan inte räknas ut förrän orten är rättad."
    ),
    "profil-sparad-okand-ort": Notice(
        "Profilen är sparad, men hemorten finns inte i ortslistan. Avståndet till platserna "
        "kan inte räknas ut förrän orten är rättad."
    ),
    "plan-sparad": Notice("Arbetsmarknadsplanen är sparad."),
    "aktivitet-borttagen": Notice("Aktiviteten är borttagen ur planen."),
    "forslag-skickat": Notice("Förslaget är skickat till värden."),
    "forslag-till-deltagaren": Notice(
        "Förslaget väntar på deltagarens svar på Mina sidor. Värden ser det först när "
        "deltagaren har sagt ja."
    ),
    "overenskommelse-sparad": Notice("Överenskommelsen är sparad."),
    "handledare-bytt": Notice(
        "Placeringen har en ny handledare. Samordnaren, värden och handledaren har fått besked."
    ),
    "lankar-skickade": Notice("Länkarna för underskrift är skickade."),
    "pappersunderskrift-registrerad": Notice("Underskriften på papper är registrerad."),
    "placering-startad": Notice("Placeringen är startad."),
    "placering-avslutad": Notice("Placeringen är avslutad. Registrera utfallet när det är känt."),
    "utfall-registrerat": Notice("Utfallet är registrerat."),
    "utfall-rattat": Notice("Utfallet är rättat. Ändringen syns i händelserna och i loggen."),
    "forslag-aterkallat": Notice(
        "Förslaget är återkallat. Värden får besked om förslaget hade nått värden."
    ),
    "telefonsvar-registrerat": Notice(
        "Värdens svar per telefon är registrerat och syns under Händelser."
    ),
    "svarslankar-skickade": Notice(
        "Nya svarslänkar är skickade. De tidigare länkarna fungerar inte längre."
    ),
    "uppfoljning-sparad": Notice("Uppföljningen är sparad."),
    "narvaro-sparad": Notice("Närvaron för veckan är sparad."),
    "narvaro-borttagen": Notice("Veckans närvarorapport är borttagen."),
    "inbjudan-skickad": Notice("Inbjudan är skickad. Länken i mejlet gäller en gång."),
    # Partner agencies (issue 18): consents, agencies and local agreements
    "samtycke-registrerat": Notice(
        "Samtycket är registrerat. Myndighetens partnerkontakter ser nu det deltagaren har "
        "samtyckt till."
    ),
    "samtycke-ersatt": Notice(
        "Samtycket är registrerat och ersätter samtycket till {myndighet} från {dag}, som "
        "slutade gälla {slut} och finns kvar i historiken. Myndighetens partnerkontakter ser "
        "nu det som det nya samtycket omfattar."
    ),
    "samtycke-redan-registrerat": Notice(
        "Samtycket var redan registrerat med samma dag, sätt och omfattning. Inget är ändrat."
    ),
    "samtycke-aterkallat": Notice(
        "Samtycket till {myndighet} är återkallat. Myndighetens partnerkontakter ser inte "
        "längre deltagaren."
    ),
    "samtycke-aterkallat-andra-kvar": Notice(
        "Samtycket till {myndighet} är återkallat: myndighetens partnerkontakter ser inte "
        "längre deltagaren. Samtycke till {andra} gäller fortfarande."
    ),
    "myndighet-tillagd": Notice("Myndigheten är tillagd."),
    "lokal-overenskommelse-tillagd": Notice("Den lokala överenskommelsen är tillagd."),
    "lokal-overenskommelse-sparad": Notice("Den lokala överenskommelsen är sparad."),
    "inloggningslank-skickad": Notice(
        "En inloggningslänk till Mina sidor är skickad till deltagaren. Den fungerar en gång."
    ),
    # The participant's own pages (participants; shown there in the participant's language)
    "svar-sparat": Notice("Tack! Ditt svar är sparat. Din samordnare ser det."),
    "svar-forslaget-stangt": Notice(
        "Ditt svar är sparat och förslaget är stängt. Din samordnare ser ditt svar."
    ),
    "intresse-sparat": Notice("Platsen är sparad bland dina intressen. Din samordnare ser det."),
    "intresse-borttaget": Notice("Platsen är borttagen från dina intressen."),
    "undertecknad": Notice("Du har skrivit under överenskommelsen."),
    "synpunkter-sparade": Notice("Tack! Det du skrev om din praktik är sparat."),
    "sprak-valt": Notice("Språket är bytt."),
    # The back office (admin, search)
    "anonymiserad": Notice("Deltagaren är anonymiserad."),
    "ord-tillagt": Notice(
        "Ordet ”{ord}” är tillagt.", link_text="Prova att söka på det", link="/platser?q={ord}"
    ),
    "ord-borttaget": Notice("Ordet ”{ord}” är borttaget."),
    "lyft-pa": Notice("Lyften är påslagna."),
    "lyft-av": Notice("Lyften är avstängda. Sökningen rangordnar nu som utan inlärning."),
    # User management (admin)
    "anvandare-skapad": Notice(
        "Användaren är skapad. Ett brev med en länk för att välja lösenord har lagts i utkorgen."
    ),
    "anvandare-sparad": Notice("Uppgifterna är sparade."),
    "anvandare-sparad-skickas-igen": Notice(
        "Uppgifterna är sparade. E-post till användaren som inte kom fram till den gamla "
        "adressen, från den senaste veckan, skickas nu igen till den nya adressen.",
        link_text="Se utkorgen",
        link="/drift/utkorg?status=pending",
    ),
    "anvandare-avstangd": Notice(
        "Användaren är avstängd. Pågående inloggningar, API-nycklar och oanvända länkar för "
        "att välja lösenord slutade gälla."
    ),
    "anvandare-aktiverad": Notice(
        "Användaren är aktiv igen och kan logga in med sitt lösenord. Länkar för att välja "
        "lösenord från före avstängningen fungerar inte: skicka en ny länk här nedan om det "
        "behövs."
    ),
    "tvasteg-aterstallt": Notice(
        "Tvåstegsverifieringen är återställd. Användaren loggar in med lösenordet och lägger "
        "till appen igen."
    ),
    "losenordslank-skickad": Notice("En ny länk för att välja lösenord har lagts i utkorgen."),
    # Said the same whether the account exists (admin.services.users.request_password_link).
    "losenordslank-begard": Notice(
        "Om det finns ett konto med den e-postadressen eller det användarnamnet har vi skickat "
        "en länk till kontots e-postadress. Den fungerar en gång och i en timme."
    ),
}


def done(url: str, code: str, **values: str) -> str:
    """`url` with the notice `code` (and the values its text names) in the query, before any
    #fragment: `done("/vard#forslag", "forslag-avbojt")` → "/vard?klart=forslag-avbojt#forslag".
    An unknown code is a programming error."""
    if code not in NOTICES:
        raise KeyError(f"no notice {code!r} in marketplace/kernel/notices.py")
    path, hash_mark, fragment = url.partition("#")
    query = urlencode({PARAM: code, **values}, quote_via=quote)
    joined = f"{path}{'&' if '?' in path else '?'}{query}"
    return f"{joined}{hash_mark}{fragment}"


def notice_for(request: Any) -> dict[str, str] | None:
    """The notice the page's address asks for, ready to show; None when there is none."""
    if request is None:
        return None
    notice = NOTICES.get(str(request.query_params.get(PARAM, "")))
    if notice is None:
        return None
    values = {
        name: str(request.query_params.get(name, ""))[:MAX_VALUE]
        for name in _names(notice.text + notice.link)
    }
    return {
        "text": notice.text.format(**values),
        "link_text": notice.link_text,
        "link": notice.link.format(**{k: quote(v) for k, v in values.items()}),
        # What app.js takes out of the address once the notice is shown, so that a reload,
        # a bookmark or a shared link does not say it again.
        "params": " ".join([PARAM, *values]),
    }


def _names(template: str) -> list[str]:
    return [name for _, name, _, _ in Formatter().parse(template) if name]
