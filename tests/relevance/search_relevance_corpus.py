"""A fixture corpus of German smart-city documents for relevance tests (invented, realistic)."""

from __future__ import annotations

from schule.search.documents import SearchDocument

COMMUNES = {
    "olpe": ("Olpe", "Kreis Olpe"),
    "soest": ("Soest", "Kreis Soest"),
    "arnsberg": ("Arnsberg", "Hochsauerlandkreis"),
    "menden": ("Menden (Sauerland)", "Märkischer Kreis"),
    "iserlohn": ("Iserlohn", "Märkischer Kreis"),
    "bad-berleburg": ("Bad Berleburg", "Kreis Siegen-Wittgenstein"),
    "winterberg": ("Winterberg", "Hochsauerlandkreis"),
    "plettenberg": ("Plettenberg", "Märkischer Kreis"),
    "siegen": ("Siegen", "Kreis Siegen-Wittgenstein"),
    "lippstadt": ("Lippstadt", "Kreis Soest"),
    "meschede": ("Meschede", "Hochsauerlandkreis"),
    "attendorn": ("Attendorn", "Kreis Olpe"),
}
HF = {
    "mobilitaet": "Mobilität",
    "verwaltung": "Digitale Verwaltung",
    "beteiligung": "Bürgerbeteiligung und Teilhabe",
    "daten": "Daten und Infrastruktur",
    "klima": "Klima und Umwelt",
    "wirtschaft": "Wirtschaft und Arbeit",
    "bildung": "Bildung",
    "leben": "Leben im Quartier",
    "tourismus": "Tourismus und Freizeit",
}


def _p(id: str, title: str, tags: tuple[str, ...], summary: str, text: str, communes: tuple[str, ...],
       hf: tuple[str, ...], status: str = "implementation", adaptations: int = 0,
       kind: str = "project") -> SearchDocument:
    return SearchDocument(
        kind=kind, id=id, title=title, tags=tags, summary=summary, text=text,
        handlungsfelder=hf, handlungsfeld_names=tuple(HF[h] for h in hf),
        communes=communes, commune_names=tuple(COMMUNES[c][0] for c in communes),
        kreise=tuple(dict.fromkeys(COMMUNES[c][1] for c in communes)),
        regions=("Südwestfalen",) if communes else (), status=status if kind == "project" else None,
        adaptation_count=adaptations)


PROJECTS = [
    _p("olpe-parksensoren", "Parkplatzsensoren in der Olper Innenstadt", ("Parken", "Sensorik", "LoRaWAN"),
       "Bodensensoren melden freie Stellplätze in Echtzeit an eine Park-App.",
       "Die Stadt Olpe hat 180 Stellplätze am Biggesee und in der Innenstadt mit Bodensensoren ausgestattet. "
       "Die Belegung wird über das LoRaWAN-Netz übertragen und auf digitalen Anzeigetafeln sowie in der App "
       "angezeigt. Der Parksuchverkehr ging messbar zurück.", ("olpe",), ("mobilitaet", "daten"), "operation", 3),
    _p("wanderparkplaetze-winterberg", "Belegung der Wanderparkplätze im Rothaargebirge",
       ("Tourismus", "Parken", "Besucherlenkung"),
       "Zählkameras und Schranken zeigen Ausflüglern, wo noch Platz ist.",
       "An Wochenenden mit Schnee sind die Wanderparkplätze rund um den Kahlen Asten überfüllt. Ein "
       "Besucherlenkungssystem zeigt die Auslastung online und auf Hinweisschildern an den Zufahrten.",
       ("winterberg",), ("tourismus", "mobilitaet"), "operation", 1),
    _p("buergerbeteiligung-plattform", "Bürgerbeteiligungsplattform Mitreden Südwestfalen",
       ("Beteiligung", "Open Source", "Consul"),
       "Eine gemeinsame Online-Plattform für Umfragen, Ideen und Bürgerhaushalte.",
       "Mehrere Kommunen betreiben gemeinsam eine Instanz der Open-Source-Software Consul. Bürgerinnen und "
       "Bürger können Vorschläge einreichen, kommentieren und abstimmen. Moderation übernimmt die jeweilige "
       "Verwaltung.", ("soest", "arnsberg", "menden"), ("beteiligung",), "operation", 4),
    _p("offene-datenplattform", "Offene Regionale Datenplattform", ("Open Data", "Urban Data Platform"),
       "Sensordaten, Haushaltsdaten und Geodaten der Region an einem Ort, frei nutzbar.",
       "Die regionale Datenplattform sammelt Messwerte aus Sensornetzen, Verkehrsdaten und Verwaltungsdaten "
       "der Mitgliedskommunen und stellt sie über offene Schnittstellen bereit. Dashboards zeigen Parkraum, "
       "Pegelstände und Luftqualität.", ("arnsberg", "soest", "olpe", "menden", "bad-berleburg"), ("daten",),
       "implementation", 2),
    _p("smarte-strassenbeleuchtung", "Smarte Straßenbeleuchtung mit Bewegungsmeldern",
       ("Energie", "LED", "Beleuchtung"),
       "LED-Leuchten dimmen nachts und werden heller, wenn jemand kommt.",
       "In Lippstadt wurden 900 Straßenlaternen auf LED umgerüstet und mit Bewegungssensoren vernetzt. Der "
       "Stromverbrauch sank um 60 Prozent; Störungen meldet die Leuchte selbst.", ("lippstadt",),
       ("klima", "daten"), "completed", 2),
    _p("pegelmessung-hochwasser", "Pegelmessung und Hochwasser-Frühwarnung an kleinen Gewässern",
       ("Hochwasser", "Sensorik", "Katastrophenschutz"),
       "Ultraschallsensoren messen Wasserstände an Bächen und warnen die Feuerwehr.",
       "Nach dem Starkregen 2021 hat Meschede an zwölf Bächen Pegelsensoren installiert. Überschreitet ein "
       "Wasserstand den Schwellenwert, gehen Warnungen an die Feuerwehr und die Bevölkerung.", ("meschede",),
       ("klima", "daten"), "operation", 1),
    _p("stadtlabor-soest", "Stadtlabor Soest", ("Reallabor", "Innovation", "Beteiligung"),
       "Ein Ladenlokal in der Altstadt, in dem Bürger digitale Ideen ausprobieren.",
       "Im Stadtlabor testen Bürgerinnen, Verwaltung und Hochschule gemeinsam Prototypen: von der "
       "Sensorbox bis zur Beteiligungs-App. Jeden Donnerstag ist offene Werkstatt.", ("soest",),
       ("beteiligung", "bildung"), "operation"),
    _p("stadtlabor-arnsberg", "Stadtlabor Arnsberg: Zukunftswerkstatt Neheim", ("Reallabor", "Innovation"),
       "Ein Experimentierraum für die Smart City in Neheim.",
       "Das Arnsberger Stadtlabor lädt Vereine, Schulen und Unternehmen ein, digitale Lösungen für den "
       "Stadtteil zu entwickeln und zu erproben.", ("arnsberg",), ("beteiligung",), "implementation"),
    _p("stadtlabor-idee-iserlohn", "Ideenwerkstatt für die Iserlohner Innenstadt", ("Innenstadt", "Workshop"),
       "Workshops zur Zukunft der Fußgängerzone.",
       "Händler und Anwohner entwickeln in Workshops Ideen gegen Leerstand und für mehr Aufenthaltsqualität.",
       ("iserlohn",), ("leben",), "idea"),
    _p("mobilitaetsstationen-menden", "Mobilitätsstationen in Menden", ("E-Bike", "Carsharing", "ÖPNV"),
       "An Bahnhof und Busknoten stehen Leihräder, Carsharing und Ladepunkte zusammen.",
       "Menden hat vier Mobilitätsstationen gebaut, an denen Bus, E-Bike-Verleih, Carsharing und "
       "Fahrradboxen verknüpft sind. Buchung über eine gemeinsame App.", ("menden",), ("mobilitaet",),
       "operation", 2),
    _p("ladesaeulen-netz", "Ladesäulen für Elektroautos an kommunalen Gebäuden", ("E-Mobilität", "Energie"),
       "Öffentliche Ladeinfrastruktur auf Parkplätzen von Rathaus, Schwimmbad und Schulen.",
       "Attendorn hat 24 Ladepunkte errichtet. Abrechnung per App oder Ladekarte; Strom aus der eigenen "
       "Photovoltaikanlage.", ("attendorn",), ("mobilitaet", "klima"), "operation"),
    _p("baumbewaesserung-sensoren", "Bodenfeuchtesensoren für die Baumbewässerung", ("Stadtgrün", "Sensorik"),
       "Sensoren im Wurzelraum zeigen, welche Stadtbäume Wasser brauchen.",
       "Der Bauhof gießt nur noch, wo die Bodenfeuchte unter einen Grenzwert fällt. So wurden im trockenen "
       "Sommer 30 Prozent Gießwasser gespart.", ("soest",), ("klima",), "operation", 1),
    _p("leerstandsmanagement-iserlohn", "Leerstandsmanagement für die Innenstadt", ("Innenstadt", "Einzelhandel"),
       "Ein Kataster aller leeren Ladenlokale und eine Börse für Zwischennutzungen.",
       "Iserlohn erfasst Leerstände digital, vermittelt Pop-up-Stores und unterstützt Gründerinnen mit "
       "Mietzuschüssen.", ("iserlohn",), ("wirtschaft", "leben"), "implementation", 1),
    _p("glasfaser-schulen", "Glasfaseranschluss für alle Schulen", ("Breitband", "Schule", "Digitalpakt"),
       "Alle Schulstandorte im Kreis werden bis 2025 an das Glasfasernetz angebunden.",
       "Der Ausbau wird aus Bundes- und Landesmitteln gefördert. Engpass war die Tiefbaukapazität.",
       ("siegen",), ("bildung", "daten"), "implementation"),
    _p("breitband-gewerbe", "Breitband für Gewerbegebiete", ("Breitband", "Wirtschaft"),
       "Schnelles Internet für Unternehmen in Gewerbegebieten.",
       "Gewerbegebiete ohne Gigabitanschluss werden per Funk und Kabel erschlossen.", ("plettenberg",),
       ("wirtschaft", "daten"), "planning"),
    _p("digitales-rathaus", "Digitales Rathaus: Onlinezugangsgesetz umsetzen",
       ("OZG", "Verwaltung", "Bürgerservice"),
       "Anträge wie Wohnsitzummeldung und Bewohnerparkausweis vollständig online.",
       "Bad Berleburg hat 60 Verwaltungsleistungen nach dem Onlinezugangsgesetz digitalisiert. Das "
       "Bürgerbüro vergibt Termine online; Bescheide kommen ins Servicekonto.", ("bad-berleburg",),
       ("verwaltung",), "operation", 2),
    _p("klimaanpassung-region", "Klimaanpassung in Südwestfalen", ("Klimaanpassung", "Starkregen", "Hitze"),
       "Starkregengefahrenkarten und Hitzeschutz für alle Kommunen.",
       "Die Region erstellt gemeinsam Starkregengefahrenkarten, berät Eigentümer und plant grüne "
       "Rückzugsorte gegen Hitze.", ("olpe", "soest", "arnsberg"), ("klima",), "planning"),
    _p("hitzeaktionsplan-soest", "Hitzeaktionsplan für Soest", ("Hitze", "Gesundheit"),
       "Trinkbrunnen, kühle Orte und Warnungen für ältere Menschen.",
       "Der Plan legt fest, wer bei Hitzewarnungen informiert wird und wo kühle Räume öffnen.",
       ("soest",), ("klima",), "implementation"),
    _p("buergerbus-bad-berleburg", "Bürgerbus Bad Berleburg", ("Ehrenamt", "ÖPNV"),
       "Ehrenamtliche fahren einen Kleinbus zwischen den Dörfern.",
       "Der Bürgerbusverein fährt dreimal täglich durch die Ortsteile. Fahrpläne und Echtzeit in der App.",
       ("bad-berleburg",), ("mobilitaet",), "operation", 1),
    _p("on-demand-shuttle", "On-Demand-Shuttle im ländlichen Raum", ("ÖPNV", "Rufbus"),
       "Ein Rufbus, der nach Bedarf per App gebucht wird, statt fester Linien.",
       "Kleinbusse holen Fahrgäste an virtuellen Haltestellen ab; gebucht wird per App oder Telefon.",
       ("meschede",), ("mobilitaet",), "implementation"),
    _p("muelleimer-fuellstand", "Smarte Mülleimer mit Füllstandsmessung", ("Abfall", "Sensorik"),
       "Sensoren in Abfallbehältern melden, wann geleert werden muss.",
       "Der Bauhof fährt nur noch volle Mülleimer an; die Touren werden aus den Füllstandsdaten geplant.",
       ("arnsberg",), ("klima", "daten"), "operation", 1),
    _p("lorawan-netz-kreis", "LoRaWAN-Netz für den ganzen Kreis", ("LoRaWAN", "IoT", "Funknetz"),
       "Gateways auf Kirchtürmen und Feuerwachen versorgen Sensoren mit Funk.",
       "Ein kreisweites LoRaWAN mit 40 Gateways trägt Daten von Parksensoren, Pegeln und Wetterstationen zur "
       "Datenplattform.", ("olpe", "attendorn"), ("daten",), "operation", 2),
    _p("coworking-land", "Co-Working-Spaces auf dem Land", ("Coworking", "Homeoffice", "Ländlicher Raum"),
       "Arbeitsplätze im Dorf statt Pendeln in die Stadt.",
       "In leerstehenden Dorfläden sind Gemeinschaftsbüros entstanden, die Pendler tageweise buchen.",
       ("bad-berleburg", "winterberg"), ("wirtschaft", "leben"), "operation"),
    _p("dorf-app", "Dorf-App für Vereine und Nachbarschaft", ("App", "Ehrenamt", "Dorf"),
       "Digitale Dorfplattform mit Terminen, Nachrichten und Nachbarschaftshilfe.",
       "Vereine veröffentlichen Termine, Nachbarn bieten Hilfe an, die Verwaltung informiert direkt.",
       ("plettenberg",), ("leben",), "operation", 1),
    _p("schul-wetterstationen", "Wetterstationen an Schulen", ("Bildung", "MINT", "Sensorik"),
       "Schülerinnen bauen Messstationen und werten Klimadaten aus.",
       "Zwölf Schulen messen Temperatur, Niederschlag und Feinstaub und speisen die Daten in die "
       "Datenplattform ein.", ("lippstadt", "soest"), ("bildung", "klima"), "implementation"),
    _p("digitale-bibliothek", "Digitale Stadtbibliothek", ("Bildung", "Onleihe"),
       "Ausleihe von E-Books und Medien rund um die Uhr.",
       "Die Bibliothek bietet Onleihe, Makerspace und Digitalsprechstunden für Senioren.", ("siegen",),
       ("bildung",), "operation"),
    _p("verkehrszaehlung-kameras", "Verkehrszählung mit anonymen Kameras", ("Verkehr", "Daten"),
       "Kameras zählen Radfahrer und Autos ohne Personenbezug.",
       "Die Auswertung geschieht direkt in der Kamera; gespeichert werden nur Zahlen.", ("iserlohn",),
       ("mobilitaet", "daten"), "completed"),
    _p("parkhaus-leitsystem", "Parkleitsystem für Parkhäuser", ("Parken", "Verkehr"),
       "Anzeigetafeln zeigen freie Plätze in den Parkhäusern der Stadt.",
       "Die Parkhausbetreiber liefern Belegungszahlen, die an den Einfallstraßen angezeigt werden.",
       ("siegen",), ("mobilitaet",), "operation"),
    _p("smart-city-strategie", "Smart-City-Strategie der Region", ("Strategie", "Rahmenstrategie"),
       "Die gemeinsame Rahmenstrategie der Pionier- und Mitmacherkommunen.",
       "Die Strategie beschreibt Handlungsfelder, Ziele und Maßnahmen für die digitale Entwicklung.",
       ("arnsberg", "soest", "olpe", "menden", "bad-berleburg"), ("verwaltung",), "completed"),
    _p("e-akte", "Einführung der E-Akte", ("Verwaltung", "Dokumentenmanagement"),
       "Papierlose Sachbearbeitung in allen Ämtern.",
       "Alle Fachbereiche arbeiten mit elektronischen Akten; Schulungen begleiteten die Umstellung.",
       ("meschede",), ("verwaltung",), "implementation"),
    _p("ki-chatbot", "KI-Chatbot für Bürgeranfragen", ("KI", "Bürgerservice"),
       "Ein Chatbot beantwortet häufige Fragen an die Stadtverwaltung.",
       "Der Bot kennt Öffnungszeiten, Zuständigkeiten und Formulare und übergibt schwierige Fälle.",
       ("lippstadt",), ("verwaltung",), "idea"),
    _p("energiemonitoring", "Energiemonitoring kommunaler Gebäude", ("Energie", "Sensorik"),
       "Zähler in Schulen und Turnhallen machen den Verbrauch sichtbar.",
       "Smarte Zähler erfassen Strom, Wärme und Wasser alle 15 Minuten.", ("olpe",), ("klima",), "operation"),
    _p("tourismus-app", "Sauerland-Erlebnis-App", ("Tourismus", "App"),
       "Wanderwege, Gastgeber und Veranstaltungen in einer App.",
       "Die App bündelt touristische Angebote und zeigt Auslastung von Ausflugszielen.", ("winterberg",),
       ("tourismus",), "operation"),
    _p("telemedizin", "Telemedizin in der Hausarztpraxis", ("Gesundheit", "Telemedizin"),
       "Videosprechstunden entlasten Landärzte.",
       "Pflegekräfte besuchen Patienten und schalten die Ärztin per Video zu.", ("bad-berleburg",),
       ("leben",), "implementation"),
]

LESSONS = [
    _p("parksensoren-batterie", "Akkulaufzeit der Parksensoren realistisch planen", ("Sensorik", "Betrieb"),
       "Die Batterien hielten nur halb so lange wie versprochen.",
       "Unsere Erfahrung: Bei häufigen Belegungswechseln senden Sensoren öfter, der Akku ist nach zwei statt "
       "fünf Jahren leer. Wartungsverträge früh einplanen.", ("olpe",), ("mobilitaet",), kind="lesson"),
    _p("datenschutz-kameras", "Datenschutz bei Videoerfassung früh klären", ("Datenschutz", "Kamera"),
       "Die Datenschutzbeauftragte von Anfang an einbinden.",
       "Videoerfassung im öffentlichen Raum braucht eine Folgenabschätzung; anonyme Zählung in der Kamera "
       "war die Lösung.", ("iserlohn",), ("daten",), kind="lesson"),
    _p("foerderantrag-tipps", "Tipps für den Förderantrag", ("Förderung", "Finanzierung"),
       "Was wir beim Beantragen von Fördermitteln gelernt haben.",
       "Früh mit dem Fördermittelgeber sprechen, Eigenanteil sichern, Meilensteine realistisch planen.",
       ("soest",), ("verwaltung",), kind="lesson"),
    _p("beteiligung-moderation", "Beteiligung braucht Moderation", ("Beteiligung", "Moderation"),
       "Ohne Antworten der Verwaltung schläft jede Plattform ein.",
       "Jeder Vorschlag bekam binnen zwei Wochen eine Rückmeldung; das hielt die Beteiligung hoch.",
       ("menden",), ("beteiligung",), kind="lesson"),
    _p("glasfaser-tiefbau", "Tiefbau ist der Engpass beim Glasfaserausbau", ("Breitband", "Tiefbau"),
       "Rechtzeitig Tiefbaufirmen binden und Trenching prüfen.",
       "Die Ausschreibung fand kaum Bieter; mindertiefe Verlegung sparte Zeit.", ("siegen",), ("daten",),
       kind="lesson"),
    _p("lorawan-gateways", "Gateway-Standorte mit der Feuerwehr abstimmen", ("LoRaWAN", "Funknetz"),
       "Hohe Standorte wie Kirchtürme bringen die beste Abdeckung.",
       "Wir haben Gateways auf Feuerwachen und Kirchtürmen montiert und Stromversorgung vorab geklärt.",
       ("attendorn",), ("daten",), kind="lesson"),
]

PEOPLE = [
    SearchDocument("person", "lea-hoffmann", "Lea Hoffmann", ("Open Data", "Datenplattform"),
                   "Projektleiterin der regionalen Datenplattform, Ansprechpartnerin für offene Daten.",
                   "Expertise: Open Data, Schnittstellen, Dashboards.", communes=("arnsberg",),
                   commune_names=("Arnsberg",)),
    SearchDocument("person", "jonas-becker", "Jonas Becker", ("Mobilität",),
                   "Mobilitätsmanager der Stadt Menden.", "Expertise: Mobilitätsstationen, Carsharing.",
                   communes=("menden",), commune_names=("Menden (Sauerland)",)),
    SearchDocument("person", "sabine-krueger", "Sabine Krüger", ("Beteiligung",),
                   "Leitet die Bürgerbeteiligung in Soest.", "Expertise: Moderation, Consul.",
                   communes=("soest",), commune_names=("Soest",)),
    SearchDocument("person", "thomas-schulte", "Thomas Schulte", ("Parken", "Sensorik"),
                   "Digitalisierungsbeauftragter der Stadt Olpe.", "Expertise: LoRaWAN, Sensorik, Parken.",
                   communes=("olpe",), commune_names=("Olpe",)),
]

COMMUNE_DOCS = [
    SearchDocument("commune", cid, name, (), f"{name} im {kreis}, Mitglied im Smart-City-Netzwerk Südwestfalen.",
                   "", communes=(cid,), commune_names=(name,), kreise=(kreis,), regions=("Südwestfalen",))
    for cid, (name, kreis) in COMMUNES.items()
]

HANDLUNGSFELDER = [
    SearchDocument("handlungsfeld", hid, name, (), f"Handlungsfeld {name} der Rahmenstrategie.")
    for hid, name in HF.items()
]

EVENTS = [
    SearchDocument("event", "netzwerktreffen-2024", "Netzwerktreffen Smart Cities Südwestfalen 2024", (),
                   "Austausch der Mitmacherkommunen in Arnsberg.", "Workshops zu Daten, Mobilität und Beteiligung."),
    SearchDocument("event", "lorawan-workshop", "Workshop LoRaWAN für Einsteiger", (),
                   "Wie Kommunen ein eigenes Funknetz aufbauen.", "Praxisbeispiele aus Olpe und Attendorn."),
]

CORPUS: list[SearchDocument] = [*PROJECTS, *LESSONS, *PEOPLE, *COMMUNE_DOCS, *HANDLUNGSFELDER, *EVENTS]
