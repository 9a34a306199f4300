"""Writes the "more on this story" test site: six outlets, several stories, near-misses.

    python3 tests/sites/stories/build.py

The articles below are the source; the pages, the feeds and ``stories.json`` (which
story each page reports, and the near-miss pairs) are written from them beside this
file and committed, so the site is plain files like the other test sites. Every outlet
marks its pages up its own way, as real sites do.

Stories (late November 2026, all within one week, so dates alone separate nothing):
  ingrid     Storm Ingrid hits Port Alder             courier, herald, kuestenbote, lephare
  bram       Storm Bram floods Quay Street            ledger, lephare     (near-miss: ingrid)
  bridge     Harbour bridge reopens                   ledger, herald, kuestenbote
  railbridge Millbrook rail bridge to close           courier, lephare    (near-miss: bridge)
  plant      Polar Fisheries closes its plant         courier, lephare, ledger
  steel      Alder Steelworks to hire 120             herald, kuestenbote (near-miss: plant)
  election   Greens win the council election          herald, kuestenbote, lephare, courier
  poll       National poll puts Greens at 18%         ledger              (near-miss: election)
  cupsemi    Port Alder FC into the cup final         courier, ledger
  league     Port Alder FC lose at Kingsbay           herald, kuestenbote (near-miss: cupsemi)
  octopus    A new deep-sea octopus                   ledger, lephare, kuestenbote
and one story each outlet alone reports. The wire outlet republishes two articles of
others: one under the same URL, one under the same guid with a tracking URL (duplicates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Piece:
    outlet: str
    slug: str
    story: str
    date: str  # ISO 8601 with offset
    title: str
    summary: str
    body: tuple[str, ...]
    author: str = ""


OUTLETS = {
    "courier": ("Coastline Courier", "en", "rss"),
    "ledger": ("Northern Ledger", "en", "rss"),
    "herald": ("Harbour Herald", "en", "atom"),
    "kuestenbote": ("Küstenbote", "de", "rss"),
    "lephare": ("Le Phare", "fr", "json"),
    "wire": ("Wire Digest", "en", "rss"),
}

NEAR_MISSES = [
    ("ingrid", "bram"),
    ("bridge", "railbridge"),
    ("plant", "steel"),
    ("election", "poll"),
    ("cupsemi", "league"),
]

PIECES = [
    # --- ingrid ------------------------------------------------------------------------
    Piece(
        "courier", "storm-ingrid-power-cuts", "ingrid", "2026-11-27T07:40:00+00:00",
        "Storm Ingrid leaves 3,200 homes in Port Alder without power",
        "Gusts of 140 km/h tore through Port Alder overnight; the Alder ferry is cancelled "
        "and Nordgrid expects to restore power by Saturday.",
        (
            "Storm Ingrid brought gusts of up to 140 km/h to Port Alder overnight, leaving "
            "3,200 homes without electricity by Friday morning.",
            "The utility Nordgrid said fallen trees had brought down two overhead lines "
            "north of the town. Engineers were working in pairs because of the wind, and "
            "the company expects every home to be reconnected by Saturday evening.",
            "The Alder ferry did not sail on Friday. Harbourmaster Pia Kessler said the "
            "crossing would stay closed until the swell dropped below three metres.",
            "On Quay Street the wind lifted part of the roof of the fish market. Nobody "
            "was hurt, but traders moved their stalls into the old customs hall.",
        ),
        "Ruth Ainsley",
    ),
    Piece(
        "herald", "ingrid-night-of-wind", "ingrid", "2026-11-27T09:15:00+00:00",
        "A night of wind: Ingrid batters the harbour town",
        "Fish market roof damaged, ferry suspended and thousands without electricity "
        "after the storm.",
        (
            "Residents of Port Alder woke to broken fences, scattered roof tiles and dark "
            "kitchens after Ingrid swept in from the west in the early hours.",
            "Around 3,200 households lost power, according to Nordgrid, which blamed trees "
            "falling across its lines. Crews hope to finish repairs by Saturday.",
            "The strongest gust, 140 km/h, was recorded on the breakwater. Pia Kessler, "
            "the harbourmaster, kept the ferry in port and asked owners of small boats to "
            "check their moorings.",
            "At the fish market on Quay Street a section of roof was peeled back. Stall "
            "holders spent the morning carrying ice boxes to the customs hall.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "sturm-ingrid-port-alder", "ingrid", "2026-11-27T10:05:00+01:00",
        "Sturm Ingrid: 3.200 Haushalte in Port Alder ohne Strom",
        "Böen mit 140 km/h, Fähre eingestellt, Dach des Fischmarkts beschädigt.",
        (
            "Sturm Ingrid hat in der Nacht zum Freitag mit Böen von bis zu 140 km/h über "
            "Port Alder gewütet. Rund 3.200 Haushalte waren am Morgen ohne Strom.",
            "Der Netzbetreiber Nordgrid teilte mit, umgestürzte Bäume hätten zwei "
            "Freileitungen beschädigt. Bis Samstag sollen alle Haushalte wieder versorgt "
            "sein.",
            "Die Alder-Fähre blieb im Hafen. Hafenmeisterin Pia Kessler sagte, die "
            "Verbindung bleibe gesperrt, bis die Wellen unter drei Meter sinken.",
            "In der Quay Street riss der Wind einen Teil des Dachs vom Fischmarkt. "
            "Verletzt wurde niemand.",
        ),
        "Jana Albers",
    ),
    Piece(
        "lephare", "tempete-ingrid-port-alder", "ingrid", "2026-11-27T11:30:00+01:00",
        "Tempête Ingrid : 3 200 foyers privés d'électricité à Port Alder",
        "Des rafales à 140 km/h, le ferry d'Alder suspendu et le toit du marché aux "
        "poissons arraché.",
        (
            "La tempête Ingrid a frappé Port Alder dans la nuit de jeudi à vendredi, avec "
            "des rafales atteignant 140 km/h. Quelque 3 200 foyers étaient privés "
            "d'électricité au petit matin.",
            "Selon l'opérateur Nordgrid, des arbres sont tombés sur deux lignes "
            "aériennes. Le courant devrait être rétabli partout d'ici samedi.",
            "Le ferry d'Alder est resté à quai. La capitaine du port, Pia Kessler, "
            "attend que la houle redescende sous les trois mètres.",
            "Rue Quay Street, une partie du toit du marché aux poissons a été arrachée. "
            "Aucun blessé n'est à déplorer.",
        ),
        "Claire Moreau",
    ),
    # --- bram (near-miss of ingrid: another storm, the same town, five days earlier) -----
    Piece(
        "ledger", "storm-bram-floods-quay-street", "bram", "2026-11-22T08:10:00+00:00",
        "Storm Bram floods Quay Street as the River Alder bursts its banks",
        "90 mm of rain overnight; forty homes evacuated and sandbags handed out at the "
        "fire station.",
        (
            "Storm Bram dropped 90 mm of rain on Port Alder overnight, and by dawn the "
            "River Alder had burst its banks at the old mill, sending water down Quay "
            "Street.",
            "Fire chief Olav Brekke said forty homes on the lower streets had been "
            "evacuated as a precaution. Families spent the night at the sports hall on "
            "Mill Lane.",
            "Volunteers filled sandbags at the fire station until midnight. The council "
            "said pumps would run until the river fell back below its warning level.",
            "Forecasters expect the rain to ease on Sunday, though the storm season is "
            "far from over.",
        ),
        "Isla Fenwick",
    ),
    Piece(
        "lephare", "tempete-bram-inondations", "bram", "2026-11-22T12:00:00+01:00",
        "Tempête Bram : la rivière Alder déborde, quarante maisons évacuées",
        "90 mm de pluie en une nuit ; des sacs de sable distribués à la caserne.",
        (
            "La tempête Bram a déversé 90 mm de pluie sur Port Alder en une nuit. La "
            "rivière Alder est sortie de son lit près du vieux moulin.",
            "Le chef des pompiers, Olav Brekke, a fait évacuer quarante maisons des rues "
            "basses. Les familles ont dormi au gymnase de Mill Lane.",
            "Des bénévoles ont rempli des sacs de sable à la caserne jusqu'à minuit.",
        ),
        "Claire Moreau",
    ),
    # --- bridge -------------------------------------------------------------------------
    Piece(
        "ledger", "harbour-bridge-open-again", "bridge", "2026-11-26T08:30:00+00:00",
        "Harbour Bridge open again after 18 months and €42 million of repairs",
        "Mayor Elin Saarinen cut the ribbon; 11,000 vehicles a day are expected back on "
        "the crossing.",
        (
            "The Harbour Bridge reopened to traffic on Thursday after 18 months of "
            "repairs that cost €42 million, more than twice the first estimate.",
            "Mayor Elin Saarinen cut the ribbon at the southern end shortly after eight. "
            "The contractor Vestbygg replaced the deck and the corroded cables.",
            "About 11,000 vehicles a day used the bridge before it closed, and the long "
            "detour through Millbrook is expected to empty within a week.",
            "Cyclists get a separate lane for the first time.",
        ),
        "Isla Fenwick",
    ),
    Piece(
        "herald", "bridge-reopens-traffic-returns", "bridge", "2026-11-26T12:20:00+00:00",
        "Traffic returns to the harbour crossing",
        "The bridge is back: a new deck, new cables and a cycle lane, a year and a half "
        "after it closed.",
        (
            "Cars crossed the Harbour Bridge again on Thursday for the first time since "
            "its closure a year and a half ago.",
            "Elin Saarinen, the mayor, opened the bridge with Vestbygg's site manager. "
            "The final bill of €42 million will be shared by the town and the region.",
            "Shops on the north bank, which lost custom during the closure, hope that the "
            "11,000 daily vehicles will bring their trade back before Christmas.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "hafenbruecke-wieder-offen", "bridge", "2026-11-26T14:00:00+01:00",
        "Hafenbrücke in Port Alder nach 18 Monaten wieder offen",
        "Die Sanierung kostete 42 Millionen Euro; Bürgermeisterin Elin Saarinen gab die "
        "Brücke frei.",
        (
            "Nach 18 Monaten Bauzeit ist die Hafenbrücke von Port Alder seit Donnerstag "
            "wieder für den Verkehr freigegeben. Die Sanierung kostete 42 Millionen Euro.",
            "Bürgermeisterin Elin Saarinen durchschnitt am Südufer das Band. Die Firma "
            "Vestbygg hat Fahrbahn und Seile erneuert.",
            "Vor der Sperrung fuhren täglich rund 11.000 Fahrzeuge über die Brücke.",
        ),
        "Jana Albers",
    ),
    # --- railbridge (near-miss of bridge: another bridge, repairs starting) -------------
    Piece(
        "courier", "millbrook-rail-bridge-closure", "railbridge", "2026-11-25T16:45:00+00:00",
        "Millbrook rail bridge to close for six weeks of repairs",
        "Nordline will run replacement buses from 14 December while the €9 million "
        "works go on.",
        (
            "The railway bridge over the Mill at Millbrook will close from 14 December "
            "for six weeks of repairs, the rail operator Nordline announced.",
            "Engineers found cracks in two of the stone piers during an inspection in "
            "the summer. The works will cost €9 million.",
            "Replacement buses will run between Millbrook and Riverton every twenty "
            "minutes. Nordline's spokesperson Amir Haddad said journeys would take about "
            "a quarter of an hour longer.",
        ),
        "Ruth Ainsley",
    ),
    Piece(
        "lephare", "pont-ferroviaire-millbrook", "railbridge", "2026-11-25T18:00:00+01:00",
        "Le pont ferroviaire de Millbrook fermé six semaines",
        "Des bus de remplacement Nordline à partir du 14 décembre ; 9 millions d'euros de "
        "travaux.",
        (
            "Le pont ferroviaire de Millbrook sera fermé à partir du 14 décembre pour six "
            "semaines de travaux, a annoncé l'opérateur Nordline.",
            "Des fissures ont été découvertes dans deux piles en pierre. Les travaux "
            "coûteront 9 millions d'euros.",
            "Des bus relieront Millbrook et Riverton toutes les vingt minutes, selon le "
            "porte-parole Amir Haddad.",
        ),
        "Luc Bernard",
    ),
    # --- plant --------------------------------------------------------------------------
    Piece(
        "courier", "polar-fisheries-plant-closure", "plant", "2026-11-24T13:00:00+00:00",
        "Polar Fisheries to close Port Alder plant with the loss of 240 jobs",
        "Chief executive Hanne Vik blamed lower cod quotas; the plant shuts in March "
        "2027.",
        (
            "Polar Fisheries will close its processing plant in Port Alder in March 2027, "
            "with the loss of 240 jobs, the company said on Tuesday.",
            "Chief executive Hanne Vik blamed the cut in cod quotas agreed last month, "
            "which she said left the plant without enough fish for two shifts.",
            "The plant on the east quay has been the town's largest private employer "
            "since 1984. Unions called the decision a shock and asked the council for an "
            "urgent meeting.",
        ),
        "Ruth Ainsley",
    ),
    Piece(
        "lephare", "polar-fisheries-fermeture", "plant", "2026-11-24T17:30:00+01:00",
        "Polar Fisheries ferme son usine de Port Alder : 240 emplois supprimés",
        "La directrice générale Hanne Vik invoque la baisse des quotas de cabillaud.",
        (
            "Polar Fisheries fermera son usine de transformation de Port Alder en mars "
            "2027. 240 emplois sont supprimés.",
            "La directrice générale, Hanne Vik, met en cause la réduction des quotas de "
            "cabillaud décidée le mois dernier.",
            "L'usine du quai est, ouverte en 1984, était le premier employeur privé de "
            "la ville. Les syndicats demandent une réunion d'urgence.",
        ),
        "Luc Bernard",
    ),
    Piece(
        "ledger", "fish-plant-jobs-shock", "plant", "2026-11-25T07:00:00+00:00",
        "Shock in Port Alder as fish plant announces it will shut",
        "Workers at Polar Fisheries learned on Tuesday that the east quay plant will "
        "close next spring.",
        (
            "Workers coming off the night shift at the Polar Fisheries plant on the east "
            "quay were told on Tuesday that it will close next spring.",
            "Hanne Vik, the company's chief executive, said lower cod quotas made the "
            "plant unviable. 240 people work there, many of them for decades.",
            "The union asked the council and the region for a rescue plan before March.",
        ),
        "Isla Fenwick",
    ),
    # --- steel (near-miss of plant: jobs at another factory, in the same town) ----------
    Piece(
        "herald", "steelworks-hiring-furnace", "steel", "2026-11-25T10:00:00+00:00",
        "Alder Steelworks to hire 120 for its new furnace line",
        "A €65 million electric furnace will open in 2027, manager Rui Costa said.",
        (
            "Alder Steelworks will hire 120 people to run a new electric furnace line, "
            "its plant manager Rui Costa said on Wednesday.",
            "The €65 million furnace replaces the last coal-fired one on the site and "
            "should start producing in the autumn of 2027.",
            "Recruitment opens in January. The company will train staff at the technical "
            "college in Riverton.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "stahlwerk-120-stellen", "steel", "2026-11-25T15:00:00+01:00",
        "Alder Steelworks schafft 120 Arbeitsplätze",
        "Ein neuer Elektroofen für 65 Millionen Euro soll 2027 in Betrieb gehen.",
        (
            "Alder Steelworks will 120 Arbeitskräfte für eine neue Elektroofenlinie "
            "einstellen, sagte Werksleiter Rui Costa am Mittwoch.",
            "Der Ofen kostet 65 Millionen Euro und ersetzt den letzten Kohleofen des "
            "Werks. Die Produktion soll im Herbst 2027 beginnen.",
        ),
        "Jana Albers",
    ),
    # --- election -----------------------------------------------------------------------
    Piece(
        "herald", "greens-win-council", "election", "2026-11-30T06:30:00+00:00",
        "Greens win 14 of 31 seats and the council's top job",
        "Jonas Berg will succeed Elin Saarinen as mayor; turnout was 61 percent.",
        (
            "The Greens won 14 of the 31 seats on Port Alder council in Sunday's "
            "election, their best result, and will lead the council for the first time.",
            "Their leader Jonas Berg is set to succeed Elin Saarinen as mayor after "
            "agreeing a pact with the two independent councillors.",
            "Turnout was 61 percent, up from 54 percent four years ago. Saarinen's party "
            "fell to 9 seats.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "gruene-gewinnen-wahl", "election", "2026-11-30T09:00:00+01:00",
        "Grüne gewinnen Kommunalwahl in Port Alder",
        "14 von 31 Sitzen; Jonas Berg soll Bürgermeister werden.",
        (
            "Die Grünen haben bei der Kommunalwahl in Port Alder 14 der 31 Sitze "
            "gewonnen. Ihr Spitzenkandidat Jonas Berg soll Nachfolger von Elin Saarinen "
            "werden.",
            "Die Wahlbeteiligung lag bei 61 Prozent, nach 54 Prozent vor vier Jahren.",
        ),
        "Jana Albers",
    ),
    Piece(
        "lephare", "verts-remportent-municipales", "election", "2026-11-30T10:15:00+01:00",
        "Municipales à Port Alder : les Verts remportent 14 sièges sur 31",
        "Jonas Berg devrait succéder à Elin Saarinen ; participation de 61 %.",
        (
            "Les Verts ont obtenu 14 des 31 sièges du conseil de Port Alder lors des "
            "élections de dimanche, leur meilleur résultat.",
            "Leur chef de file, Jonas Berg, devrait succéder à la maire Elin Saarinen "
            "grâce à un accord avec deux élus indépendants.",
            "La participation a atteint 61 %, contre 54 % il y a quatre ans.",
        ),
        "Luc Bernard",
    ),
    Piece(
        "courier", "berg-to-be-mayor", "election", "2026-11-30T12:00:00+00:00",
        "Jonas Berg to be mayor after Green surge",
        "A pact with two independents gives the Greens control of the council.",
        (
            "Jonas Berg will be Port Alder's next mayor after the Greens took 14 seats "
            "in Sunday's council election and struck a deal with two independents.",
            "Berg, a former teacher, said his first task would be the harbour's flood "
            "defences. Outgoing mayor Elin Saarinen congratulated him.",
            "Turnout rose to 61 percent.",
        ),
        "Ruth Ainsley",
    ),
    # --- poll (near-miss of election: the Greens again, a national poll) ---------------
    Piece(
        "ledger", "national-poll-greens", "poll", "2026-11-28T09:00:00+00:00",
        "National poll puts the Greens at 18 percent",
        "Sofia Lund's party gains three points; Labour leads on 24 percent.",
        (
            "The Greens have reached 18 percent in a national poll by Nordstat, three "
            "points more than a month ago, under their leader Sofia Lund.",
            "Labour leads on 24 percent and the Conservatives have 21. The poll asked "
            "2,050 voters across the country between Monday and Thursday.",
            "Lund said the result showed that voters wanted faster action on energy "
            "prices and coastal protection.",
        ),
        "Isla Fenwick",
    ),
    # --- cupsemi -----------------------------------------------------------------------
    Piece(
        "courier", "port-alder-fc-cup-final", "cupsemi", "2026-11-28T21:30:00+00:00",
        "Okafor double sends Port Alder FC into the cup final",
        "A 3-1 win over Riverton United; Kingsbay await on 12 December.",
        (
            "Daniel Okafor scored twice as Port Alder FC beat Riverton United 3-1 in the "
            "cup semi-final on Saturday evening.",
            "Okafor opened the scoring after 12 minutes and added a second from the "
            "penalty spot after the break. Lena Brandt headed the third.",
            "Port Alder will face Kingsbay in the final on 12 December, their first final "
            "since 1998.",
        ),
        "Ruth Ainsley",
    ),
    Piece(
        "ledger", "riverton-beaten-semi", "cupsemi", "2026-11-29T08:00:00+00:00",
        "Riverton beaten as Port Alder reach first final since 1998",
        "Two goals from Daniel Okafor and one from Lena Brandt settle the semi-final.",
        (
            "Port Alder FC are in the cup final for the first time since 1998 after a "
            "3-1 win over Riverton United.",
            "Daniel Okafor scored both of the first two goals, one of them a penalty, "
            "and Lena Brandt added a header late on.",
            "The final against Kingsbay is on 12 December.",
        ),
        "Isla Fenwick",
    ),
    # --- league (near-miss of cupsemi: the same club, another match) ------------------
    Piece(
        "herald", "kingsbay-defeat-league", "league", "2026-11-24T22:00:00+00:00",
        "Port Alder FC beaten 2-0 at Kingsbay",
        "Coach Marta Silva rested Daniel Okafor ahead of the cup semi-final.",
        (
            "Port Alder FC lost 2-0 at Kingsbay in the league on Tuesday night, a fourth "
            "defeat in six matches.",
            "Coach Marta Silva left Daniel Okafor on the bench to keep him fresh for the "
            "cup, and her side barely threatened.",
            "Kingsbay scored in each half and move up to third.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "niederlage-in-kingsbay", "league", "2026-11-25T08:00:00+01:00",
        "Port Alder FC verliert 0:2 in Kingsbay",
        "Trainerin Marta Silva schonte Daniel Okafor für das Pokalspiel.",
        (
            "Port Alder FC hat am Dienstagabend in der Liga 0:2 in Kingsbay verloren. "
            "Es war die vierte Niederlage in sechs Spielen.",
            "Trainerin Marta Silva ließ Daniel Okafor auf der Bank.",
        ),
        "Jana Albers",
    ),
    # --- octopus ------------------------------------------------------------------------
    Piece(
        "ledger", "new-octopus-species", "octopus", "2026-11-23T11:00:00+00:00",
        "Alder University scientists describe a new deep-sea octopus",
        "Grimpoteuthis alderensis was filmed at 2,800 metres off the coast.",
        (
            "Researchers at Alder University have described a new species of dumbo "
            "octopus, Grimpoteuthis alderensis, filmed at a depth of 2,800 metres.",
            "The team led by Naomi Achterberg found the animal during a survey with a "
            "remotely operated vehicle in 2025. It is about 30 centimetres long.",
            "The description appears this week in the journal Marine Biology.",
        ),
        "Isla Fenwick",
    ),
    Piece(
        "lephare", "nouvelle-pieuvre", "octopus", "2026-11-23T15:00:00+01:00",
        "Une nouvelle pieuvre des grands fonds décrite par l'université d'Alder",
        "Grimpoteuthis alderensis a été filmée à 2 800 mètres de profondeur.",
        (
            "Des chercheurs de l'université d'Alder ont décrit une nouvelle espèce de "
            "pieuvre, Grimpoteuthis alderensis, filmée à 2 800 mètres de profondeur.",
            "L'équipe de Naomi Achterberg l'a découverte en 2025 lors d'une campagne avec "
            "un robot sous-marin. L'animal mesure environ 30 centimètres.",
            "L'étude paraît cette semaine dans la revue Marine Biology.",
        ),
        "Luc Bernard",
    ),
    Piece(
        "kuestenbote", "neue-tiefseekrake", "octopus", "2026-11-23T16:00:00+01:00",
        "Neue Tiefseekrake vor der Küste entdeckt",
        "Grimpoteuthis alderensis lebt in 2.800 Metern Tiefe.",
        (
            "Forschende der Alder University haben eine neue Krakenart beschrieben: "
            "Grimpoteuthis alderensis wurde in 2.800 Metern Tiefe gefilmt.",
            "Das Team um Naomi Achterberg entdeckte das etwa 30 Zentimeter große Tier "
            "2025 mit einem Tauchroboter. Die Studie erscheint in Marine Biology.",
        ),
        "Jana Albers",
    ),
    # --- stories only one outlet reports -------------------------------------------------
    Piece(
        "courier", "library-sunday-opening", "library", "2026-11-26T09:00:00+00:00",
        "Town library to open on Sunday afternoons",
        "From January the library on Church Row opens from one to five on Sundays.",
        (
            "The town library on Church Row will open on Sunday afternoons from January, "
            "from one o'clock until five.",
            "Head librarian Tove Lindahl said the change followed a survey in which most "
            "readers asked for weekend hours.",
        ),
        "Ruth Ainsley",
    ),
    Piece(
        "herald", "harbour-road-cycle-lane", "cyclelane", "2026-11-28T10:00:00+00:00",
        "Harbour Road gets a protected cycle lane",
        "Work on the 1.4 km lane starts in February.",
        (
            "A protected cycle lane will run the length of Harbour Road, 1.4 km from the "
            "station to the lighthouse, with work starting in February.",
            "Parking on the seaward side will go.",
        ),
        "Graham Doyle",
    ),
    Piece(
        "kuestenbote", "weihnachtsmarkt-eroeffnet", "market", "2026-11-29T18:00:00+01:00",
        "Weihnachtsmarkt auf dem Marktplatz eröffnet",
        "Bis zum 23. Dezember stehen 48 Buden auf dem Platz.",
        (
            "Der Weihnachtsmarkt auf dem Marktplatz ist eröffnet. Bis zum 23. Dezember "
            "stehen dort 48 Buden.",
            "Neu ist eine Eisbahn vor dem Rathaus.",
        ),
        "Jana Albers",
    ),
    Piece(
        "lephare", "festival-jazz-annonce", "jazz", "2026-11-27T19:00:00+01:00",
        "Le festival de jazz du port dévoile sa programmation",
        "Douze concerts en juillet sur la place du Marché.",
        (
            "Le festival de jazz du port a dévoilé sa programmation : douze concerts en "
            "juillet sur la place du Marché, dont trois gratuits.",
            "La billetterie ouvre le 15 janvier.",
        ),
        "Luc Bernard",
    ),
    Piece(
        "wire", "ferry-fares-rise", "fares", "2026-11-29T07:00:00+00:00",
        "Ferry fares to rise 6 percent in the new year",
        "Single tickets on the coastal routes go up from 1 January.",
        (
            "Fares on the coastal ferry routes will rise 6 percent from 1 January, the "
            "operators' association said.",
            "Season tickets for residents are frozen for another year.",
        ),
        "Wire staff",
    ),
]

# The wire republishes: (outlet, slug) of the original, and how (same URL or same guid).
REPUBLISHED = [("courier", "storm-ingrid-power-cuts", "url"), ("ledger", "harbour-bridge-open-again", "guid")]


def guid(piece: Piece) -> str:
    return f"tag:{piece.outlet}.example,2026:{piece.slug}"


def page_url(piece: Piece) -> str:
    return f"{{{{base}}}}/{piece.outlet}/{piece.slug}.html"


def page(piece: Piece) -> str:
    """Each outlet's own markup, so extraction meets a different page shape for each."""
    name, language, _ = OUTLETS[piece.outlet]
    paragraphs = "\n".join(f"      <p>{escape(text)}</p>" for text in piece.body)
    title = escape(piece.title)
    when = datetime.fromisoformat(piece.date)
    others = [p for p in PIECES if p.outlet == piece.outlet and p is not piece][:3]
    more = "\n".join(
        f'        <li><a href="{{{{base}}}}/{p.outlet}/{p.slug}.html">{escape(p.title)}</a></li>'
        for p in others
    )
    if piece.outlet in ("courier", "wire"):
        main = f"""  <main>
    <article>
      <h1>{title}</h1>
      <p class="byline">By {escape(piece.author)}, <time datetime="{piece.date}">{when:%d %B %Y}</time></p>
{paragraphs}
    </article>
    <aside class="latest"><h2>Latest</h2>
      <ul>
{more}
      </ul>
    </aside>
  </main>"""
    elif piece.outlet == "ledger":
        main = f"""  <div id="content">
    <div class="story">
      <div class="kicker">Port Alder</div>
      <h1 class="headline">{title}</h1>
      <div class="meta"><span class="author">{escape(piece.author)}</span>
        <span class="date">{piece.date[:10]}</span></div>
      <div class="story-body">
{paragraphs}
      </div>
    </div>
    <div class="sidebar"><h3>Most read</h3><ul>
{more}
    </ul></div>
  </div>"""
    elif piece.outlet == "herald":
        main = f"""  <section class="page">
    <article class="post">
      <header><h1>{title}</h1><address>{escape(piece.author)}</address>
        <time datetime="{piece.date}">{piece.date[:10]}</time></header>
      <div class="entry-content">
{paragraphs}
      </div>
      <footer class="share">Share: Mastodon · Email</footer>
    </article>
  </section>
  <section class="more"><h2>More from the Herald</h2><ul>
{more}
  </ul></section>"""
    else:
        main = f"""  <div class="wrapper">
    <article itemscope itemtype="https://schema.org/NewsArticle">
      <h1 itemprop="headline">{title}</h1>
      <div class="auteur" itemprop="author">{escape(piece.author)}</div>
      <time itemprop="datePublished" datetime="{piece.date}">{piece.date[:10]}</time>
      <div itemprop="articleBody">
{paragraphs}
      </div>
    </article>
    <nav class="autres"><ul>
{more}
    </ul></nav>
  </div>"""
    return f"""<!DOCTYPE html>
<html lang="{language}">
<head>
  <meta charset="utf-8">
  <title>{title} | {escape(name)}</title>
  <meta property="og:site_name" content="{escape(name)}">
  <meta name="author" content="{escape(piece.author)}">
  <meta property="article:published_time" content="{piece.date}">
</head>
<body>
  <header class="site"><a href="{{{{base}}}}/{piece.outlet}/">{escape(name)}</a>
    <nav><a href="#">News</a> <a href="#">Sport</a> <a href="#">Weather</a></nav></header>
{main}
  <footer class="site">© 2026 {escape(name)}</footer>
</body>
</html>
"""


def items_of(outlet: str) -> list[tuple[Piece, str, str]]:
    """(piece, url, guid) of each item the outlet's feed carries."""
    items = [(p, page_url(p), guid(p)) for p in PIECES if p.outlet == outlet]
    if outlet == "wire":
        for source, slug, how in REPUBLISHED:
            original = next(p for p in PIECES if p.outlet == source and p.slug == slug)
            if how == "url":
                items.append((original, page_url(original), f"tag:wire.example,2026:{slug}"))
            else:
                items.append((original, page_url(original) + "?utm_source=wire", guid(original)))
    return sorted(items, key=lambda item: item[0].date, reverse=True)


def rss(outlet: str) -> str:
    name, language, _ = OUTLETS[outlet]
    items = "\n".join(
        f"""    <item>
      <title>{escape(p.title)}</title>
      <link>{escape(url)}</link>
      <guid isPermaLink="false">{escape(item_guid)}</guid>
      <pubDate>{format_datetime(datetime.fromisoformat(p.date))}</pubDate>
      <description>{escape(p.summary)}</description>
    </item>"""
        for p, url, item_guid in items_of(outlet)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>{escape(name)}</title>
    <link>{{{{base}}}}/{outlet}/</link>
    <description>News from {escape(name)}</description>
    <language>{language}</language>
{items}
  </channel>
</rss>
"""


def atom(outlet: str) -> str:
    name, language, _ = OUTLETS[outlet]
    entries = "\n".join(
        f"""  <entry>
    <title>{escape(p.title)}</title>
    <link href="{escape(url)}"/>
    <id>{escape(item_guid)}</id>
    <updated>{p.date}</updated>
    <author><name>{escape(p.author)}</name></author>
    <summary>{escape(p.summary)}</summary>
  </entry>"""
        for p, url, item_guid in items_of(outlet)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{language}">
  <title>{escape(name)}</title>
  <link href="{{{{base}}}}/{outlet}/"/>
  <id>tag:{outlet}.example,2026:feed</id>
  <updated>2026-11-30T12:00:00+00:00</updated>
{entries}
</feed>
"""


def json_feed(outlet: str) -> str:
    name, language, _ = OUTLETS[outlet]
    items = [
        {
            "id": item_guid,
            "url": url,
            "title": p.title,
            "summary": p.summary,
            "date_published": p.date,
            "authors": [{"name": p.author}],
        }
        for p, url, item_guid in items_of(outlet)
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": name,
        "home_page_url": f"{{{{base}}}}/{outlet}/",
        "language": language,
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


FEED_FILES = {"rss": ("feed.xml", rss), "atom": ("atom.xml", atom), "json": ("feed.json", json_feed)}


def feed_path(outlet: str) -> str:
    """The feed's path on the site, as the tests and the bench subscribe to it."""
    return f"/{outlet}/{FEED_FILES[OUTLETS[outlet][2]][0]}"


def main() -> None:
    for outlet, (_, _, kind) in OUTLETS.items():
        folder = HERE / outlet
        folder.mkdir(exist_ok=True)
        file_name, write = FEED_FILES[kind]
        (folder / file_name).write_text(write(outlet), encoding="utf-8")
    for piece in PIECES:
        (HERE / piece.outlet / f"{piece.slug}.html").write_text(page(piece), encoding="utf-8")
    labels = {
        "feeds": {outlet: feed_path(outlet) for outlet in OUTLETS},
        "pages": {f"/{p.outlet}/{p.slug}.html": p.story for p in PIECES},
        "near_misses": NEAR_MISSES,
        "republished": [
            {"page": f"/{source}/{slug}.html", "by": "wire", "same": how}
            for source, slug, how in REPUBLISHED
        ],
    }
    (HERE / "stories.json").write_text(json.dumps(labels, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
