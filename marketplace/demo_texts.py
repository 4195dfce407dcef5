"""The demo's words: how employers and coordinators in a Swedish municipality write.

A slot's description is put together from three parts in the employer's own voice: who we
are (by kind of host), what you will do (by occupation), and what we offer. Proposals,
answers and assessments vary the way real messages do. Invented text, written for the demo.
"""

from __future__ import annotations

import random

INTROS = {
    "municipal_unit": (
        "Vi är en kommunal verksamhet med ett trettiotal medarbetare och lång vana av att ta "
        "emot praktikanter.",
        "Hos oss arbetar ett tight gäng som hjälps åt, och vi tar gärna emot någon som vill "
        "pröva på yrket.",
        "Vi är en del av Vårgårda kommun och har tagit emot arbetsträning i flera år.",
    ),
    "company": (
        "Vi är ett familjeföretag med tolv anställda och kunder i hela Sjuhärad.",
        "Vi är ett växande företag i kommunen och behöver fler händer.",
        "Hos oss är det högt i tak och nära till skratt, även när det är mycket att göra.",
        "Vi har funnits på orten sedan 1980-talet och har anställt flera tidigare praktikanter.",
    ),
    "association": (
        "Vi är en ideell förening där både anställda och frivilliga arbetar sida vid sida.",
        "Föreningen drivs av engagerade medlemmar, och vi har en anställd som samordnar arbetet.",
    ),
    "public_agency": (
        "Vi är en statlig eller regional verksamhet med tydliga rutiner och introduktion för nya.",
        "Hos oss finns en handledare som har gått utbildning i att ta emot praktikanter.",
    ),
}

TASKS = {
    "Undersköterska, hemtjänst, äldreboende och habilitering": (
        "Du följer med en undersköterska på besök hos äldre som bor hemma och hjälper till "
        "med inköp, städning, promenader och att laga enklare måltider.",
    ),
    "Vårdbiträde": (
        "Du hjälper de boende med måltider, bäddning och promenader, och är ett extra sällskap "
        "i vardagen.",
        "Du arbetar tillsammans med vårdpersonalen med frukost, fika och aktiviteter för de äldre.",
    ),
    "Personlig assistent": (
        "Du stöttar en person med funktionsnedsättning i vardagen: hemma, vid inköp och på "
        "fritiden, alltid tillsammans med en erfaren assistent.",
    ),
    "Kock storhushåll": (
        "Du lagar skolmat och äldreomsorgens mat tillsammans med våra kockar och lär dig "
        "recept i stora mängder, specialkost och hygienrutiner.",
    ),
    "Köksbiträde": (
        "Du hjälper till att skala, hacka och förbereda, dukar fram och tar hand om disken "
        "efter lunchen.",
        "Du förbereder sallader och tillbehör, fyller på bufféen och håller köket rent.",
    ),
    "Diskare": (
        "Du sköter disken under lunchrusningen, plockar in i maskinen, sorterar och ställer "
        "tillbaka, och håller ordning i diskrummet.",
    ),
    "Barnskötare": (
        "Du är med i barngruppen: på samlingen, vid måltiderna, i leken ute och när barnen "
        "ska vila.",
    ),
    "Fastighetsskötare": (
        "Du följer med på rundor i fastigheterna: byter lysrör, lagar det som gått sönder, "
        "skottar och sandar på vintern och klipper gräs på sommaren.",
    ),
    "Skolvaktmästare": (
        "Du hjälper vaktmästaren på skolan med post, möblering, små reparationer och att "
        "hålla skolgården snygg.",
    ),
    "Park- och trädgårdsarbetare": (
        "Du planterar, rensar ogräs, klipper häckar och gräs och tömmer papperskorgar i parker "
        "och på lekplatser.",
        "Du arbetar ute i trädgården: sår, planterar om, vattnar och sköter rabatterna.",
    ),
    "Biblioteksassistent": (
        "Du ställer upp böcker på hyllorna, tar emot återlämningar och hjälper besökare att "
        "hitta rätt.",
    ),
    "Städare": (
        "Du städar kontor, klassrum och trapphus efter ett schema, med egna städvagnar och "
        "tydliga rutiner.",
    ),
    "Industristädare": (
        "Du rengör maskiner, golv och personalutrymmen i industrilokaler, med skyddsutrustning "
        "och en kollega bredvid.",
    ),
    "Fritidsledare": (
        "Du är med på kvällsverksamheten: spelar spel, lagar mellanmål, planerar aktiviteter "
        "och pratar med ungdomarna.",
    ),
    "Fritidsledare, församling/Ungdomsledare, församling": (
        "Du hjälper till i barn- och ungdomsverksamheten: fika, pyssel, utflykter och läger.",
    ),
    "Butikssäljare, fackhandel": (
        "Du prismärker och sorterar varor, fyller på hyllorna och hjälper kunderna i butiken.",
        "Du tar emot skänkta saker, sorterar, tvättar och prissätter, och ställer fram i butiken.",
    ),
    "Lagerarbetare/Terminalarbetare": (
        "Du tar emot leveranser, plockar och packar order och håller ordning på lagret.",
        "Du plockar order med handscanner, packar och märker kollin som ska ut samma dag.",
    ),
    "Receptionist": (
        "Du tar emot besökare, svarar i telefon, delar ut post och hjälper till med enklare "
        "administration.",
    ),
    "Kafébiträde/Konditoribiträde": (
        "Du dukar fram i kaféet, brygger kaffe, tar betalt och håller rent bland borden.",
        "Du bakar frallor på morgonen, fyller på i disken och hjälper kunderna.",
    ),
    "Träarbetare/Snickare": (
        "Du är med i arbetslaget på bygget: bär och sorterar virke, mäter, sågar och skruvar "
        "under handledning.",
        "Du hjälper snickarna i verkstaden med att kapa, slipa och montera.",
    ),
    "Byggstädare": (
        "Du håller byggarbetsplatsen ren och säker: sopar, sorterar avfall och städar inför "
        "slutbesiktningen.",
    ),
    "Däckmontör": (
        "Du skiftar däck på personbilar, balanserar hjul och håller ordning på däckhotellet, "
        "särskilt under säsongen på våren och hösten.",
    ),
    "Personbilsmekaniker": (
        "Du följer med en mekaniker i verkstaden: service, oljebyten, bromsar och att hålla "
        "verktygen i ordning.",
    ),
    "Cykelmekaniker": (
        "Du lagar punkteringar, justerar växlar och bromsar och gör cyklar redo för säsongen.",
    ),
    "Butikssäljare, dagligvaror/Medarbetare, dagligvaror": (
        "Du fyller på frukt och grönt, tar emot varor på morgonen och hjälper kunderna i butiken.",
    ),
    "Kassapersonal": (
        "Du lär dig kassan och sitter där tillsammans med en kollega, och hjälper annars till "
        "med att fylla på varor.",
    ),
    "Byggnadsplåtslagare": (
        "Du hjälper plåtslagarna på tak och i verkstaden: bär material, mäter och bockar plåt "
        "under handledning.",
    ),
    "Bagare/Konditor": (
        "Du börjar tidigt och bakar bröd och bullar tillsammans med bagarna, och diskar och "
        "städar efter bakningen.",
    ),
    "Målare": (
        "Du maskerar, spacklar och slipar inför målning, och målar sedan väggar och tak "
        "tillsammans med en målare.",
    ),
    "Restaurangbiträde": (
        "Du dukar, serverar lunch, plockar undan och torkar bord i restaurangen.",
    ),
    "Djurskötare lantbruk": (
        "Du hjälper till i ladugården: utfodring, mockning, att hålla djuren rena och att se "
        "efter att de mår bra.",
    ),
    "Hästskötare": (
        "Du mockar boxar, fodrar, tar in och släpper ut hästarna och hjälper till i stallet.",
    ),
    "Truckförare": (
        "Du lastar och lossar gods med truck när du har truckkort; annars börjar du med "
        "plock och packning på golvet.",
    ),
    "Maskinmekaniker": (
        "Du hjälper mekanikerna med underhåll av maskinerna i produktionen: smörjning, byte "
        "av slitdelar och felsökning.",
    ),
    "Idrottsplatsvaktmästare": (
        "Du sköter idrottsplatsen: kritar planer, klipper gräs, tömmer soptunnor och "
        "förbereder inför matcher.",
    ),
    "Kyrkvaktmästare": (
        "Du sköter kyrkogården och kyrkan: krattar, planterar, vattnar och förbereder inför "
        "gudstjänster.",
    ),
}
GENERIC_TASKS = ("Du får pröva på de vanligaste arbetsuppgifterna hos oss, i din egen takt.",)

OFFERS = (
    "Du får en egen handledare och en schemalagd genomgång varje vecka.",
    "Vi börjar med några timmar om dagen och ökar när det känns bra.",
    "Arbetskläder finns. Vi fikar tillsammans klockan nio och två.",
    "Du behöver inga förkunskaper, bara vilja att lära dig.",
    "Flera av våra anställda började som praktikanter hos oss.",
    "Det går buss till oss från centrum varje halvtimme.",
)

PROPOSALS = (
    "{first} har jobbat med liknande uppgifter i sitt hemland och vill komma in i yrket här.",
    "{first} vill pröva yrket innan hen väljer utbildning. Punktlig och nyfiken.",
    "{first} har varit hemma länge och vill börja lugnt, gärna förmiddagar.",
    "{first} har gått en kort kurs inom området och behöver praktisk erfarenhet.",
    "{first} trivs bäst med praktiska uppgifter och vill arbeta nära hemmet.",
    "{first} pratar god svenska och har B-körkort. Hen vill gärna visa vad hen kan.",
)
DECLINES = (
    "Vi har tyvärr fullt med sommarvikarier just nu. Hör gärna av er i september.",
    "Handledaren är föräldraledig under perioden, så vi kan inte ta emot då.",
)
WITHDRAWALS = (
    "Deltagaren har fått en plats på en kurs som börjar samma vecka.",
    "Deltagaren har flyttat till en annan kommun.",
)
# What the participant gains, as the coordinator writes it into the agreement with them.
PARTICIPANT_GOALS = (
    "Pröva yrket på riktigt och få en referens från arbetsplatsen.",
    "Komma in i fasta rutiner och orka fler timmar i veckan.",
    "Lära sig arbetsplatsens svenska och få erfarenhet att visa upp.",
)
# The tasks, as the host writes them (the slot's advert is no list of tasks).
AGREEMENT_TASKS = (
    "Introduktion på arbetsplatsen, sedan dagliga uppgifter i arbetslaget med handledarens stöd.",
    "Förberedelser inför dagen, enklare egna uppgifter och att följa med en kollega i arbetet.",
)
HOST_GAINS = (
    "Avlastning i det dagliga arbetet och en chans att lära känna en möjlig framtida medarbetare.",
    "Hjälp under vår mest intensiva period, och erfarenhet av att handleda.",
    "Ett extra par händer och nya perspektiv i arbetslaget.",
)
STRENGTHS = (
    "Kommer alltid i tid och frågar när något är oklart.",
    "Lugn och noggrann, bra med kunderna.",
    "Tar egna initiativ och lär sig snabbt nya moment.",
    "Mycket omtyckt av kollegorna. Fixade vårt lager på egen hand mot slutet.",
)
MASTERED = (
    "Dagliga rutiner, egen planering av förmiddagens arbete.",
    "Kassan, varupåfyllning och att ta emot leveranser.",
    "Grundläggande säkerhet, maskiner och att arbeta i lag.",
)


def description(
    rng: random.Random, kind: str, label: str, town: str, adaptations: list[str]
) -> str:
    """A slot's description in the employer's voice."""
    parts = [
        rng.choice(INTROS.get(kind, INTROS["company"])),
        rng.choice(TASKS.get(label, GENERIC_TASKS)),
        rng.choice(OFFERS),
    ]
    if adaptations:
        parts.append(f"Vi kan erbjuda {', '.join(a.lower() for a in adaptations)}.")
    parts.append(f"Arbetsplatsen ligger i {town}.")
    return " ".join(parts)


def title(rng: random.Random, kind: str, label: str, sector: str) -> str:
    """A title that agrees with the slot's kind (praktik or arbetsträning)."""
    short = label.split("/")[0].split(",")[0]
    if kind == "arbetsträning":
        return rng.choice(
            (f"Arbetsträning som {short.lower()}", f"Arbetsträning – {sector.lower()}")
        )
    return rng.choice((short, f"Praktik som {short.lower()}", f"{short} – {sector.lower()}"))


FOLLOW_UP_NOTES = (
    "Ringde och stämde av, allt går bra.",
    "Träffades på kontoret. Trivs och vill fortsätta.",
    "Kort samtal via sms och telefon, inget nytt att åtgärda.",
)
