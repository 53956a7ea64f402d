"""Deterministic, vectorised sample-data generator for offer-conversion events.

Why: the project reproduces an offer-prediction system whose real data set is a few
thousand rows of one campaign. To build, test and benchmark the warehouse pipeline we
need data of any size, with the seed's exact record format, *and* with a known ground
truth: every generated offer is drawn from a per-campaign softmax over the user's
country, operating system, browser, device type and location, so the error of the best
possible classifier (the Bayes error) is known and a trained model can be judged
against it.

What: conversion events (``EVENT_COLUMNS``) and scoring requests (``REQUEST_COLUMNS``)
with string values formatted like the seed (``"long": "21.0026"``, ``"network": ""``),
UUID ids, ISO-2 countries with realistic coordinates and city names (some non-ASCII),
a long tail of rare countries, operating systems and browsers (some with spaces,
slashes, non-ASCII letters, and ``"Slim"``/``"slim"`` differing only by case).
Everything is a pure function of :class:`GeneratorConfig`: the same config gives
byte-identical files. All per-row work is numpy/pyarrow vectorised (no Python loop per
row), so millions of events take seconds.

Example::

    >>> from warehouse_ml.generator import (
    ...     EVENT_COLUMNS, GeneratorConfig, bayes_error, generate_events, generate_requests)
    >>> cfg = GeneratorConfig(n_events=1_000, n_requests=200)
    >>> events = generate_events(cfg)
    >>> list(events.columns) == list(EVENT_COLUMNS)
    True
    >>> 0.0 < bayes_error(generate_requests(cfg), cfg) < 1.0
    True

Command line: ``python -m warehouse_ml.generator --out data/sample --events 50000``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = [
    "EVENT_COLUMNS",
    "FEATURE_COLUMNS",
    "FORMATS",
    "REQUEST_COLUMNS",
    "GeneratorConfig",
    "bayes_error",
    "bayes_error_by_campaign",
    "campaign_offers",
    "empirical_bayes_error",
    "generate_events",
    "generate_requests",
    "main",
    "oracle_error",
    "oracle_predict",
    "true_offer_probabilities",
    "write_sample",
]

EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "campaign",
    "offer",
    "country",
    "city",
    "long",
    "lat",
    "isp",
    "network",
    "dOs",
    "dType",
    "dOsVersion",
    "dBrowser",
    "dBrowserVersion",
)
"""Conversion-event fields, in the seed's key order."""

REQUEST_COLUMNS: tuple[str, ...] = tuple(c for c in EVENT_COLUMNS if c != "offer")
"""Scoring-request fields: ``id`` is the request id, ``campaign`` the campaign to score."""

FEATURE_COLUMNS: tuple[str, ...] = ("country", "dOs", "dType", "dBrowser", "lat", "long")
"""The only fields the true offer probabilities depend on (the seed's model inputs)."""

Format = Literal["json", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("json", "csv", "parquet")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Independent random streams, keyed by (seed, stream, ...) so that e.g. the requests do
# not change when n_events changes, and campaign k does not change with n_campaigns.
_STREAM_WORLD = 0
_STREAM_CAMPAIGN = 1
_STREAM_CALIBRATION = 2
_STREAM_EVENTS = 3
_STREAM_REQUESTS = 4
_STREAM_EMPIRICAL = 5

_POINTS_PER_CITY = 16  # distinct geolocated points per city (IP databases return few)
_NETWORKS_PER_ISP = 3
_EMPTY_NETWORK_RATE = 0.004  # the seed has ~0.35% empty "network" values
_CALIBRATION_USERS = 20_000
_TARGET_BAYES_ERROR = (0.20, 0.32)  # per-campaign target range (unshifted users)
_CHUNK_ROWS = 1_000_000  # rows per block when computing probabilities / writing JSON
_LARGE_STRING_ROWS = 20_000_000  # above this, use 64-bit string offsets

# --------------------------------------------------------------------------------------
# Static world tables (hand-written; approximate real coordinates).
# Country block: "<ISO2> <weight %>", indented city lines "name:lat:long:weight | ...",
# and an indented "@ isp | isp" line.
# --------------------------------------------------------------------------------------
_COUNTRY_TABLE = """
TH 18.0
  Bangkok:13.7563:100.5018:6 | Nonthaburi:13.8621:100.5144:1.5 | Chiang Mai:18.7883:98.9853:1.5
  Khon Kaen:16.4419:102.8360:1 | Hat Yai:7.0086:100.4747:1 | Nakhon Ratchasima:14.9799:102.0977:1
  Udon Thani:17.4138:102.7872:0.8 | Phuket:7.8804:98.3923:0.6
  Ban Yang Sam Ton:15.5027:101.0030:0.2
  @ True Internet | TRUE INTERNET Co.,Ltd. | Total Access Communication PLC.
  @ Advanced Wireless Network Company Limited | TOT Public Company Limited
NP 8.0
  Kathmandu:27.7172:85.3240:5 | Pokhara:28.2096:83.9856:1.5 | Lalitpur:27.6644:85.3188:1.5
  Biratnagar:26.4525:87.2718:1 | Bharatpur:27.6766:84.4304:0.8 | Birgunj:27.0104:84.8770:0.7
  @ WorldLink Communications Pvt Ltd | WorldLink Communications Pvt | Nepal Telecom
  @ Ncell Private Ltd | Subisu Cablenet
BD 5.2
  Dhaka:23.8103:90.4125:6 | Chittagong:22.3569:91.7832:2 | Khulna:22.8456:89.5403:1
  Rajshahi:24.3745:88.6042:1 | Sylhet:24.8949:91.8687:1
  @ Banglalink Digital Communications Ltd | Grameenphone Ltd. | Robi Axiata Limited
  @ Bangladesh Telecommunications Company
DZ 4.2
  Algiers:36.7538:3.0588:4 | Oran:35.6971:-0.6308:2 | Constantine:36.3650:6.6147:1.5
  Sétif:36.1898:5.4108:1 | Annaba:36.9000:7.7667:1 | Blida:36.4700:2.8277:1
  @ Optimum-Telecom-Algeria | Algerie Telecom | Wataniya Telecom Algerie | ATM Mobilis
SA 4.2
  Riyadh:24.7136:46.6753:4 | Jeddah:21.4858:39.1925:3 | Mecca:21.3891:39.8579:1.5
  Medina:24.5247:39.5692:1 | Dammam:26.4207:50.0888:1.2
  @ Saudi Telecom Company JSC | Mobily | Zain Saudi Arabia | Etihad Atheeb Telecom Company
US 3.5
  New York:40.7128:-74.0060:3 | Brooklyn:40.6782:-73.9442:1 | Los Angeles:34.0522:-118.2437:2
  Chicago:41.8781:-87.6298:1.5 | Houston:29.7604:-95.3698:1.2 | Phoenix:33.4484:-112.0740:0.8
  Miami:25.7617:-80.1918:1 | Seattle:47.6062:-122.3321:0.7 | Atlanta:33.7490:-84.3880:0.8
  Denver:39.7392:-104.9903:0.6
  @ T-MOBILE-AS21928 | Cellco Partnership DBA Verizon Wireless | AT&T Mobility LLC
  @ Comcast Cable Communications, LLC | Charter Communications
VN 3.0
  Hà Nội:21.0285:105.8542:3 | Hồ Chí Minh:10.8231:106.6297:3.5 | Đà Nẵng:16.0544:108.2022:1
  Hải Phòng:20.8449:106.6881:0.8 | Cần Thơ:10.0452:105.7469:0.7 | Biên Hòa:10.9574:106.8429:0.5
  @ Viettel Group | VNPT Corp | FPT Telecom Company
  @ Vietnamobile Telecommunications Joint Stock Company
MA 2.9
  Casablanca:33.5731:-7.5898:4 | Rabat:34.0209:-6.8416:2 | Salé:34.0531:-6.7985:1
  Fès:34.0181:-5.0078:1.5 | Marrakesh:31.6295:-7.9811:1.5 | Tangier:35.7595:-5.8340:1.2
  Agadir:30.4278:-9.5981:0.8
  @ MAROCCONNECT | Itissalat Al-MAGHRIB | Wana Corporate | Meditelecom
KE 2.5
  Nairobi:-1.2921:36.8219:5 | Mombasa:-4.0435:39.6682:1.5 | Kisumu:-0.0917:34.7680:1
  Nakuru:-0.3031:36.0800:1 | Eldoret:0.5143:35.2698:0.8
  @ Safaricom Limited | JAMBONET | Airtel Networks Kenya Limited | Telkom Kenya
ZA 2.4
  Johannesburg:-26.2041:28.0473:3 | Cape Town:-33.9249:18.4241:2 | Durban:-29.8587:31.0218:1.5
  Pretoria:-25.7479:28.2293:1.5 | Port Elizabeth:-33.9608:25.6022:0.7 | Soweto:-26.2485:27.8540:0.8
  @ MTN Business Solutions | Vodacom | Cell C | Telkom SA Ltd. | Rain (Pty) Ltd
MX 2.3
  Mexico City:19.4326:-99.1332:4 | Guadalajara:20.6597:-103.3496:2 | Monterrey:25.6866:-100.3161:2
  Puebla:19.0414:-98.2063:1 | Querétaro:20.5888:-100.3899:0.8 | Mérida:20.9674:-89.5926:0.7
  León:21.1250:-101.6860:0.7 | Tijuana:32.5149:-117.0382:0.8
  @ Radiomovil Dipsa, S.A. de C.V. | Uninet S.A. de C.V. | Telefonica Moviles Mexico
  @ AT&T Comunicaciones Digitales S. de R.L.
IN 2.2
  Mumbai:19.0760:72.8777:2 | Delhi:28.7041:77.1025:2 | Bengaluru:12.9716:77.5946:1.5
  Hyderabad:17.3850:78.4867:1.2 | Chennai:13.0827:80.2707:1.2 | Kolkata:22.5726:88.3639:1.2
  Pune:18.5204:73.8567:0.8 | Ahmedabad:23.0225:72.5714:0.8 | Jaipur:26.9124:75.7873:0.6
  Lucknow:26.8467:80.9462:0.6
  @ Reliance Jio Infocomm Limited | Bharti Airtel Ltd. | Vodafone India Ltd. | BSNL
AE 2.1
  Dubai:25.2048:55.2708:4 | Abu Dhabi:24.4539:54.3773:2 | Sharjah:25.3463:55.4209:1.5
  Al Ain:24.2075:55.7447:0.7 | Ajman:25.4052:55.5136:0.6
  @ Emirates Telecommunications Corporation
  @ Emirates Integrated Telecommunications Company PJSC
JO 2.0
  Amman:31.9454:35.9284:5 | Zarqa:32.0728:36.0880:1.5 | Irbid:32.5556:35.8500:1.5
  Aqaba:29.5267:35.0078:0.5
  @ Orange Jordan | Zain Jordan | Umniah Mobile Company
AZ 1.9
  Baku:40.4093:49.8671:6 | Ganja:40.6828:46.3606:1 | Sumqayit:40.5897:49.6686:1
  Mingachevir:40.7640:47.0595:0.4
  @ Azercell Telecom LLC | Bakcell Ltd | Azerfon LLC
NG 1.8
  Lagos:6.5244:3.3792:4 | Abuja:9.0765:7.3986:1.5 | Ibadan:7.3775:3.9470:1
  Kano:12.0022:8.5920:1 | Port Harcourt:4.8156:7.0498:1 | Benin City:6.3350:5.6037:0.6
  @ MTN NIGERIA Communication limited | Airtel Networks Limited | Globacom Limited
  @ EMTS Limited / Etisalat Nigeria
PL 1.7
  Warsaw:52.2297:21.0122:3 | Kraków:50.0647:19.9450:1.5 | Łódź:51.7592:19.4560:1
  Wrocław:51.1079:17.0385:1 | Poznań:52.4064:16.9252:0.8 | Gdańsk:54.3520:18.6466:0.8
  Wałbrzych:50.7714:16.2843:0.3 | Szczecin:53.4285:14.5528:0.6
  @ T-Mobile Polska S.A. | Polkomtel Sp. z o.o. | Orange Polska Spolka Akcyjna | P4 Sp. z o.o.
ES 1.6
  Madrid:40.4168:-3.7038:3 | Barcelona:41.3851:2.1734:2.5 | Valencia:39.4699:-0.3763:1
  Sevilla:37.3891:-5.9845:1 | Málaga:36.7213:-4.4214:0.8 | Zaragoza:41.6488:-0.8891:0.6
  A Coruña:43.3623:-8.4115:0.4 | Bilbao:43.2630:-2.9350:0.5
  @ Telefonica de Espana | Vodafone Spain | Orange Espagne SA | Xfera Moviles S.A.
BR 1.5
  São Paulo:-23.5505:-46.6333:4 | Rio de Janeiro:-22.9068:-43.1729:2.5
  Brasília:-15.8267:-47.9218:1 | Belo Horizonte:-19.9167:-43.9345:1 | Salvador:-12.9777:-38.5016:1
  Fortaleza:-3.7319:-38.5267:0.8 | Curitiba:-25.4284:-49.2733:0.8
  Porto Alegre:-30.0346:-51.2177:0.7 | Goiânia:-16.6869:-49.2648:0.5
  @ Claro S.A. | TIM Celular S.A. | Telefonica Brasil S.A. | Oi Movel S.A.
LB 1.5
  Beirut:33.8938:35.5018:5 | Tripoli:34.4367:35.8497:1.5 | Sidon:33.5571:35.3729:1
  Jounieh:33.9808:35.6178:0.7
  @ Ogero Telecom | Alfa | Touch | IDM
CL 1.5
  Santiago:-33.4489:-70.6693:5 | Valparaíso:-33.0472:-71.6127:1 | Viña del Mar:-33.0245:-71.5518:0.8
  Concepción:-36.8201:-73.0444:1 | Antofagasta:-23.6509:-70.3975:0.7 | Quilpué:-33.0475:-71.4425:0.3
  Temuco:-38.7359:-72.5904:0.6
  @ VTR BANDA ANCHA S.A. | Entel PCS Telecomunicaciones S.A. | Telefonica Moviles Chile S.A.
  @ Claro Chile S.A.
ID 1.4
  Jakarta:-6.2088:106.8456:4 | Surabaya:-7.2575:112.7521:1.5 | Bandung:-6.9175:107.6191:1.5
  Medan:3.5952:98.6722:1 | Makassar:-5.1477:119.4327:0.8 | Semarang:-6.9667:110.4167:0.8
  Denpasar:-8.6705:115.2126:0.5
  @ PT. Telekomunikasi Selular | PT Indosat Tbk. | PT XL Axiata | PT Telekomunikasi Indonesia
NL 1.3
  Amsterdam:52.3676:4.9041:3 | Rotterdam:51.9244:4.4777:1.5 | The Hague:52.0705:4.3007:1
  Utrecht:52.0907:5.1214:1 | Eindhoven:51.4416:5.4697:0.7 | Groningen:53.2194:6.5665:0.5
  @ KPN B.V. | Vodafone Libertel B.V. | T-Mobile Netherlands | Ziggo B.V.
FR 1.3
  Paris:48.8566:2.3522:4 | Marseille:43.2965:5.3698:1.5 | Lyon:45.7640:4.8357:1.5
  Toulouse:43.6047:1.4442:1 | Nice:43.7102:7.2620:0.8 | Nantes:47.2184:-1.5536:0.7
  Lille:50.6292:3.0573:0.7 | Saint-Étienne:45.4397:4.3872:0.4
  @ Orange S.A. | Free Mobile SAS | Bouygues Telecom SA
  @ Societe Francaise du Radiotelephone - SFR SA
PE 1.2
  Lima:-12.0464:-77.0428:6 | Arequipa:-16.4090:-71.5375:1 | Trujillo:-8.1116:-79.0288:1
  Chiclayo:-6.7714:-79.8409:0.7 | Cusco:-13.5320:-71.9675:0.5 | Piura:-5.1945:-80.6328:0.5
  @ America Movil Peru S.A.C. | Telefonica del Peru S.A.A. | Entel Peru S.A. | Viettel Peru S.A.C.
RO 0.9
  Bucharest:44.4268:26.1025:3 | Cluj-Napoca:46.7712:23.6236:1 | Iași:47.1585:27.6014:1
  Timișoara:45.7489:21.2087:0.8 | Brașov:45.6427:25.5887:0.7
  @ RCS & RDS | Vodafone Romania S.A. | Orange Romania | Telekom Romania Mobile
IR 0.85
  Tehran:35.6892:51.3890:4 | Mashhad:36.2605:59.6168:1.2 | Isfahan:32.6546:51.6680:1
  Shiraz:29.5918:52.5837:0.8 | Tabriz:38.0800:46.2919:0.8
  @ Mobile Communication Company of Iran PLC | Iran Cell Service and Communication Company
  @ Rightel
UA 0.7
  Kyiv:50.4501:30.5234:3 | Kharkiv:49.9935:36.2304:1.2 | Odesa:46.4825:30.7233:1
  Dnipro:48.4647:35.0462:1 | Lviv:49.8397:24.0297:1
  @ Kyivstar PJSC | Vodafone Ukraine | lifecell LLC
KH 0.7
  Phnom Penh:11.5564:104.9282:4 | Siem Reap:13.3671:103.8448:1 | Battambang:13.0957:103.2022:0.6
  @ Smart Axiata Co., Ltd. | Cellcard | Metfone
IT 0.65
  Rome:41.9028:12.4964:2 | Milan:45.4642:9.1900:2 | Naples:40.8518:14.2681:1
  Turin:45.0703:7.6869:0.8 | Palermo:38.1157:13.3615:0.6
  @ Telecom Italia | Vodafone Italia S.p.A. | Wind Tre S.p.A. | Iliad Italia S.p.A.
GH 0.6
  Accra:5.6037:-0.1870:4 | Kumasi:6.6885:-1.6244:1.5 | Tamale:9.4008:-0.8393:0.6
  @ MTN Ghana | Vodafone Ghana | AirtelTigo
OM 0.55
  Muscat:23.5880:58.3829:4 | Salalah:17.0151:54.0924:1 | Sohar:24.3476:56.7443:0.8
  @ Omantel | Ooredoo Oman
JM 0.5
  Kingston:18.0179:-76.8099:3 | Montego Bay:18.4762:-77.8939:1 | Spanish Town:17.9911:-76.9574:1
  @ Digicel Jamaica | Cable & Wireless Jamaica
TN 0.5
  Tunis:36.8065:10.1815:3 | Sfax:34.7406:10.7603:1 | Sousse:35.8256:10.6084:1
  @ Ooredoo Tunisie | Orange Tunisie | Tunisie Telecom
LK 0.5
  Colombo:6.9271:79.8612:4 | Kandy:7.2906:80.6337:1 | Galle:6.0535:80.2210:0.6
  Raddolugama:7.1402:79.9023:0.4
  @ Dialog Axiata PLC. | Sri Lanka Telecom | Mobitel | 234, Galle Road, Colombo 4
CM 0.45
  Douala:4.0511:9.7679:3 | Yaoundé:3.8480:11.5021:2.5 | Bamenda:5.9597:10.1460:0.7
  @ MTN Cameroon | Orange Cameroun SA
TR 0.45
  İstanbul:41.0082:28.9784:4 | Ankara:39.9334:32.8597:1.5 | İzmir:38.4237:27.1428:1
  Bursa:40.1885:29.0610:0.7 | Antalya:36.8969:30.7133:0.6
  @ Turkcell Iletisim Hizmetleri A.S. | Turk Telekom
  @ Vodafone Net Iletisim Hizmetleri Anonim Sirketi
DE 0.45
  Berlin:52.5200:13.4050:2 | Hamburg:53.5511:9.9937:1.2 | München:48.1351:11.5820:1.2
  Köln:50.9375:6.9603:1 | Frankfurt am Main:50.1109:8.6821:0.8 | Düsseldorf:51.2277:6.7735:0.7
  @ Deutsche Telekom AG | Vodafone GmbH | Telefonica Germany
MN 0.4
  Ulaanbaatar:47.8864:106.9057:5 | Erdenet:49.0333:104.0833:0.6
  @ Unitel LLC | Mobicom Corporation
MM 0.4
  Yangon:16.8409:96.1735:4 | Mandalay:21.9588:96.0891:1.5 | Naypyidaw:19.7633:96.0785:0.5
  @ Myanma Posts and Telecommunications | Telenor Myanmar | Ooredoo Myanmar
TZ 0.38
  Dar es Salaam:-6.7924:39.2083:4 | Dodoma:-6.1630:35.7516:0.8 | Arusha:-3.3869:36.6830:0.8
  Mwanza:-2.5164:32.9175:0.8
  @ Vodacom Tanzania | Airtel Tanzania | Tigo Tanzania
IQ 0.38
  Baghdad:33.3152:44.3661:4 | Basra:30.5085:47.7804:1.2 | Erbil:36.1912:44.0092:1
  Mosul:36.3456:43.1575:0.8
  @ Asiacell Communications PJSC | Zain Iraq | Korek Telecom
AR 0.35
  Buenos Aires:-34.6037:-58.3816:5 | Córdoba:-31.4201:-64.1888:1.2 | Rosario:-32.9442:-60.6505:1
  Mendoza:-32.8895:-68.8458:0.7 | La Plata:-34.9205:-57.9536:0.6
  @ Telecom Argentina S.A. | Telefonica de Argentina | AMX Argentina S.A.
ZM 0.34
  Lusaka:-15.3875:28.3228:4 | Kitwe:-12.8024:28.2132:1 | Ndola:-12.9587:28.6366:1
  @ Airtel Networks Zambia | MTN Zambia | Zamtel
NA 0.34
  Windhoek:-22.5609:17.0658:4 | Walvis Bay:-22.9576:14.5053:0.8 | Oshakati:-17.7883:15.7044:0.8
  @ MTC Namibia | Telecom Namibia
QA 0.32
  Doha:25.2854:51.5310:5 | Al Rayyan:25.2919:51.4244:1.5 | Al Wakrah:25.1715:51.6034:0.6
  @ Ooredoo Q.S.C. | Vodafone Qatar
CI 0.32
  Abidjan:5.3600:-4.0083:5 | Bouaké:7.6906:-5.0304:1 | Yamoussoukro:6.8276:-5.2893:0.6
  @ Orange Côte d'Ivoire | MTN Côte d'Ivoire
BY 0.32
  Minsk:53.9006:27.5590:5 | Gomel:52.4412:30.9878:1 | Brest:52.0976:23.7341:0.8
  @ Mobile TeleSystems JLLC | Unitary enterprise A1
IE 0.32
  Dublin:53.3498:-6.2603:5 | Cork:51.8985:-8.4756:1.2 | Galway:53.2707:-9.0568:0.6
  @ Vodafone Ireland | Three Ireland | Eir
LT 0.32
  Vilnius:54.6872:25.2797:3 | Kaunas:54.8985:23.9036:1.5 | Klaipėda:55.7033:21.1443:0.8
  @ Telia Lietuva, AB | UAB Bite Lietuva | Tele2 UAB
PT 0.3
  Lisbon:38.7223:-9.1393:3 | Porto:41.1579:-8.6291:2 | Amadora:38.7538:-9.2308:0.6
  Braga:41.5454:-8.4265:0.6
  @ MEO - Servicos De Comunicacoes E Multimedia S.A. | Vodafone Portugal | NOS Comunicacoes S.A.
MY 0.28
  Kuala Lumpur:3.1390:101.6869:4 | George Town:5.4141:100.3288:1 | Johor Bahru:1.4927:103.7414:1
  Kota Kinabalu:5.9804:116.0735:0.6
  @ Maxis Broadband Sdn.Bhd | Celcom Axiata Berhad | DiGi Telecommunications Sdn. Bhd.
PA 0.28
  Panama City:8.9824:-79.5199:5 | Colón:9.3592:-79.9014:1 | David:8.4273:-82.4309:0.6
  @ Cable & Wireless Panama | Telefonica Moviles Panama
PK 0.27
  Karachi:24.8607:67.0011:3 | Lahore:31.5204:74.3587:2.5 | Islamabad:33.6844:73.0479:1
  Faisalabad:31.4504:73.1350:0.8 | Rawalpindi:33.5651:73.0169:0.8
  @ Pakistan Telecommunication Company Limited | Jazz (Mobilink) | Telenor Pakistan | Zong
PY 0.26
  Asunción:-25.2637:-57.5759:4 | Ciudad del Este:-25.5097:-54.6111:1
  San Lorenzo:-25.3397:-57.5088:1
  @ Telecel S.A. | Nucleo S.A.
GT 0.26
  Guatemala City:14.6349:-90.5069:5 | Quetzaltenango:14.8347:-91.5181:1 | Mixco:14.6331:-90.6064:1
  @ Telecomunicaciones de Guatemala, Sociedad Anonima | Comunicaciones Celulares S.A.
GR 0.26
  Athens:37.9838:23.7275:4 | Thessaloniki:40.6401:22.9444:1.5 | Patras:38.2466:21.7346:0.6
  Heraklion:35.3387:25.1442:0.6
  @ Cosmote Mobile Telecommunications, S.A. | Wind Hellas
  @ Vodafone-panafon Hellenic Telecommunications Company SA
YE 0.24
  Sanaa:15.3694:44.1910:4 | Aden:12.7855:45.0187:1.5 | Taiz:13.5795:44.0209:1
  @ Yemen Mobile | Public Telecommunication Corporation
UG 0.24
  Kampala:0.3476:32.5825:5 | Gulu:2.7724:32.2881:0.6 | Mbarara:-0.6072:30.6545:0.6
  @ MTN Uganda | Airtel Uganda
KZ 0.22
  Almaty:43.2220:76.8512:3 | Astana:51.1694:71.4491:2 | Shymkent:42.3417:69.5901:1
  Karaganda:49.8047:73.1094:0.7
  @ Kcell JSC | Kar-Tel LLC | JSC Kazakhtelecom
HN 0.2
  Tegucigalpa:14.0723:-87.1921:3 | San Pedro Sula:15.5042:-88.0250:2 | La Ceiba:15.7597:-86.7822:0.5
  @ Telefonica Celular S.A | Sercom Honduras
CD 0.19
  Kinshasa:-4.4419:15.2663:5 | Lubumbashi:-11.6876:27.5026:1 | Goma:-1.6585:29.2203:0.6
  @ Vodacom Congo | Orange RDC | Airtel Congo
SG 0.17
  Singapore:1.3521:103.8198:1
  @ Singapore Telecommunications Ltd | StarHub Ltd | M1 Limited
KW 0.17
  Kuwait City:29.3759:47.9774:3 | Hawalli:29.3328:48.0286:1 | Al Jahra:29.3375:47.6581:0.6
  @ Zain Kuwait | Ooredoo Kuwait | Kuwait Telecommunication Company
IL 0.15
  Tel Aviv:32.0853:34.7818:3 | Jerusalem:31.7683:35.2137:2 | Haifa:32.7940:34.9896:1
  @ Partner Communications Ltd. | Cellcom Israel | Pelephone Communications Ltd.
AU 0.15
  Sydney:-33.8688:151.2093:3 | Melbourne:-37.8136:144.9631:3 | Brisbane:-27.4698:153.0251:1.5
  Perth:-31.9505:115.8605:1
  @ Telstra Internet | Optus | Vodafone Australia
UY 0.13
  Montevideo:-34.9011:-56.1645:5 | Salto:-31.3833:-57.9667:0.5
  @ Administracion Nacional de Telecomunicaciones | Telefonica Moviles del Uruguay SA
SE 0.13
  Stockholm:59.3293:18.0686:3 | Göteborg:57.7089:11.9746:1.5 | Malmö:55.6050:13.0038:1
  Uppsala:59.8586:17.6389:0.5
  @ Telia Company AB | Tele2 Sverige AB | Hi3G Access AB
HK 0.13
  Hong Kong:22.3193:114.1694:3 | Kowloon:22.3186:114.1796:1
  @ HGC Global Communications Limited | Hong Kong Telecommunications (HKT) Limited
KR 0.13
  Seoul:37.5665:126.9780:4 | Busan:35.1796:129.0756:1.5 | Incheon:37.4563:126.7052:1
  @ SK Telecom | Korea Telecom | LG Uplus Corp.
MZ 0.13
  Maputo:-25.9692:32.5732:4 | Beira:-19.8436:34.8389:1 | Nampula:-15.1165:39.2666:1
  @ Vodacom Mozambique | Movitel, SA
EG 0.12
  Cairo:30.0444:31.2357:4 | Alexandria:31.2001:29.9187:2 | Giza:30.0131:31.2089:1.5
  Shubra El Kheima:30.1286:31.2422:0.6
  @ Vodafone Data | Orange Egypt | Etisalat Misr | TE Data
PS 0.11
  Gaza:31.5017:34.4668:2 | Ramallah:31.9038:35.2034:1.5 | Hebron:31.5326:35.0998:1
  Nablus:32.2211:35.2544:1
  @ Jawwal | Hadara Technologies Private Shareholding Company
HU 0.11
  Budapest:47.4979:19.0402:4 | Debrecen:47.5316:21.6273:1 | Szeged:46.2530:20.1414:0.8
  Pécs:46.0727:18.2323:0.7
  @ Magyar Telekom plc. | Telenor Hungary | Vodafone Hungary Ltd.
BS 0.11
  Nassau:25.0443:-77.3504:4 | Freeport:26.5333:-78.7000:1
  @ The Bahamas Telecommunications Company | Cable Bahamas
SD 0.11
  Khartoum:15.5007:32.5599:3 | Omdurman:15.6445:32.4777:2 | Port Sudan:19.6158:37.2164:0.6
  @ Zain Sudan | MTN Sudan | Sudatel
CZ 0.1
  Prague:50.0755:14.4378:3 | Brno:49.1951:16.6068:1.2 | Ostrava:49.8209:18.2625:0.8
  České Budějovice:48.9745:14.4743:0.4
  @ O2 Czech Republic, a.s. | T-Mobile Czech Republic a.s. | Vodafone Czech Republic a.s.
DO 0.1
  Santo Domingo:18.4861:-69.9312:4 | Santiago de los Caballeros:19.4517:-70.6970:1.5
  @ Compania Dominicana de Telefonos, C. por A. | Altice Dominicana S.A.
GB 0.1
  London:51.5074:-0.1278:4 | Manchester:53.4808:-2.2426:1 | Birmingham:52.4862:-1.8904:1
  Glasgow:55.8642:-4.2518:0.6 | Leeds:53.8008:-1.5491:0.6
  @ EE Limited | Vodafone Limited | Telefonica UK Limited | British Telecommunications PLC
SV 0.09
  San Salvador:13.6929:-89.2182:4 | Santa Ana:13.9942:-89.5597:1
  @ Telefonica Moviles El Salvador S.A. de C.V. | CTE S.A. de C.V.
ML 0.09
  Bamako:12.6392:-8.0029:4 | Sikasso:11.3176:-5.6665:1
  @ Orange Mali SA | Sotelma
CA 0.08
  Toronto:43.6532:-79.3832:3 | Montréal:45.5017:-73.5673:2 | Vancouver:49.2827:-123.1207:1.5
  Calgary:51.0447:-114.0719:1 | Québec:46.8139:-71.2080:0.6
  @ Rogers Cable Communications Inc. | Bell Canada | TELUS Communications Inc. | Videotron Ltee
BO 0.08
  La Paz:-16.4897:-68.1193:3 | Santa Cruz de la Sierra:-17.8146:-63.1561:3
  Cochabamba:-17.4139:-66.1653:1.5
  @ Entel S.A. - EntelNet | Telefonica Celular de Bolivia S.A.
PH 0.07
  Manila:14.5995:120.9842:3 | Quezon City:14.6760:121.0437:2 | Cebu City:10.3157:123.8854:1
  Davao City:7.1907:125.4553:1
  @ Globe Telecom | Smart Broadband, Inc. | PLDT
JP 0.06
  Tokyo:35.6762:139.6503:4 | Osaka:34.6937:135.5023:2 | Nagoya:35.1815:136.9066:1
  Sapporo:43.0618:141.3545:0.7
  @ NTT DOCOMO, INC. | KDDI CORPORATION | SoftBank Corp.
GE 0.06
  Tbilisi:41.7151:44.8271:4 | Batumi:41.6168:41.6367:1 | Kutaisi:42.2679:42.6946:1
  @ Magticom Ltd. | Silknet JSC | Mobitel LLC
RU 0.05
  Moscow:55.7558:37.6173:4 | Saint Petersburg:59.9311:30.3609:2 | Novosibirsk:55.0084:82.9357:1
  Kazan:55.8304:49.0661:0.8 | Yekaterinburg:56.8389:60.6057:0.8
  @ PJSC MegaFon | Mobile TeleSystems | Beeline | Rostelecom
CH 0.05
  Zürich:47.3769:8.5417:3 | Genève:46.2044:6.1432:2 | Basel:47.5596:7.5886:1
  Bern:46.9480:7.4474:1 | Chatonnaye:46.7526:6.9323:0.2
  @ Bluewin | Sunrise Communications AG | Salt Mobile SA
IS 0.03
  Reykjavík:64.1466:-21.9426:4 | Akureyri:65.6885:-18.1262:1
  @ Siminn | Vodafone Iceland
CN 0.03
  Beijing:39.9042:116.4074:2 | Shanghai:31.2304:121.4737:2 | Guangzhou:23.1291:113.2644:1
  Shenzhen:22.5431:114.0579:1
  @ China Mobile | China Unicom | Chinanet
NZ 0.03
  Auckland:-36.8485:174.7633:3 | Wellington:-41.2865:174.7762:1 | Christchurch:-43.5321:172.6362:1
  @ Spark New Zealand | Vodafone NZ
AF 0.03
  Kabul:34.5553:69.2075:4 | Herat:34.3529:62.2040:1 | Mazar-i-Sharif:36.7090:67.1109:1
  @ Afghan Wireless Communication Company | Roshan | Etisalat Afghanistan
UZ 0.03
  Tashkent:41.2995:69.2401:4 | Samarkand:39.6270:66.9750:1 | Namangan:41.0011:71.6725:1
  @ Unitel LLC | Uzbektelekom
EE 0.02
  Tallinn:59.4370:24.7536:3 | Tartu:58.3776:26.7290:1
  @ Telia Eesti AS | Elisa Eesti AS
LA 0.02
  Vientiane:17.9757:102.6331:3 | Luang Prabang:19.8856:102.1347:1
  @ Lao Telecom | Unitel Laos
"""

_DTYPES: tuple[tuple[str, float], ...] = (("mobile", 84.0), ("tablet", 7.0), ("desktop", 9.0))

_OS_BY_DTYPE: dict[str, tuple[tuple[str, float], ...]] = {
    "mobile": (
        ("Android", 79.0),
        ("iOS", 17.0),
        ("Windows Phone", 1.0),
        ("KaiOS", 0.7),
        ("BlackBerry", 0.35),
        ("Tizen", 0.35),
        ("Symbian", 0.12),
        ("Firefox OS", 0.05),
        ("Sailfish", 0.03),
    ),
    "tablet": (("Android", 55.0), ("iOS", 41.0), ("Fire OS", 2.5), ("Windows", 1.5)),
    "desktop": (
        ("Windows", 66.0),
        ("Mac OS", 19.0),
        ("Linux", 8.0),
        ("Chromium OS", 4.5),
        ("Ubuntu", 1.5),
        ("FreeBSD", 0.2),
    ),
}

_BROWSER_BY_OS: dict[str, tuple[tuple[str, float], ...]] = {
    "Android": (
        ("Chrome", 33.0),
        ("Chrome WebView", 27.0),
        ("Android Browser", 14.0),
        ("Samsung Browser", 6.0),
        ("UCBrowser", 5.0),
        ("Facebook", 4.5),
        ("Opera Mini", 2.4),
        ("MIUI Browser", 1.6),
        ("Firefox", 1.2),
        ("Opera", 0.8),
        ("WebKit", 0.4),
        ("Yandex", 0.3),
        ("QQBrowser", 0.25),
        ("Phoenix Browser", 0.15),
        ("Kiwi Browser", 0.1),
        ("Puffin/Cloud", 0.08),
        ("Navegador Móvil", 0.07),
        ("Slim", 0.06),
        ("slim", 0.05),
        ("Baidu Box App", 0.05),
        ("Спутник", 0.05),
        ("NetFront/NX", 0.03),
    ),
    "iOS": (
        ("Mobile Safari", 68.0),
        ("Chrome", 11.0),
        ("Facebook", 9.0),
        ("WebKit", 5.0),
        ("GSA", 3.0),
        ("Instagram", 1.2),
        ("Firefox", 0.8),
        ("UCBrowser", 0.8),
        ("Opera Mini", 0.6),
        ("Line", 0.3),
        ("Brave", 0.2),
    ),
    "Windows": (
        ("Chrome", 58.0),
        ("Edge", 14.0),
        ("Firefox", 13.0),
        ("IE", 6.0),
        ("Opera", 4.0),
        ("Yandex", 2.0),
        ("Vivaldi", 0.6),
        ("Sogou Explorer", 0.5),
        ("360 Browser", 0.5),
        ("Pale Moon", 0.3),
        ("Maxthon", 0.3),
    ),
    "Mac OS": (
        ("Safari", 48.0),
        ("Chrome", 42.0),
        ("Firefox", 7.0),
        ("Opera", 1.5),
        ("Edge", 1.0),
        ("Brave", 0.5),
    ),
    "Linux": (
        ("Chrome", 45.0),
        ("Firefox", 40.0),
        ("Chromium", 10.0),
        ("Opera", 3.0),
        ("Midori", 1.0),
        ("Pale Moon", 1.0),
    ),
    "Chromium OS": (("Chrome", 100.0),),
    "Ubuntu": (("Firefox", 70.0), ("Chromium", 30.0)),
    "FreeBSD": (("Firefox", 100.0),),
    "Windows Phone": (("IEMobile", 85.0), ("Edge", 12.0), ("UCBrowser", 3.0)),
    "KaiOS": (("KaiOS Browser", 70.0), ("Opera Mini", 30.0)),
    "BlackBerry": (("Mobile Safari", 60.0), ("BlackBerry Browser", 40.0)),
    "Tizen": (("Samsung Browser", 90.0), ("Opera Mini", 10.0)),
    "Symbian": (("Opera Mini", 65.0), ("Nokia Browser", 35.0)),
    "Firefox OS": (("Firefox", 100.0),),
    "Sailfish": (("Sailfish Browser", 100.0),),
    "Fire OS": (("Silk", 88.0), ("Chrome", 12.0)),
}

_OS_VERSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "Android": (
        ("4.1.2", 0.5),
        ("4.2.2", 1.0),
        ("4.4.2", 8.0),
        ("4.4.4", 3.0),
        ("5.0", 1.0),
        ("5.0.2", 2.0),
        ("5.1", 12.0),
        ("5.1.1", 8.0),
        ("6.0", 18.0),
        ("6.0.1", 11.0),
        ("7.0", 20.0),
        ("7.1.1", 4.0),
        ("7.1.2", 1.5),
        ("8.0.0", 3.0),
        ("8.1.0", 2.0),
    ),
    "iOS": (
        ("9.3.5", 1.0),
        ("10.2.1", 1.0),
        ("10.3.1", 1.0),
        ("10.3.2", 1.0),
        ("10.3.3", 3.0),
        ("11.0", 1.0),
        ("11.1", 1.0),
        ("11.1.2", 2.0),
        ("11.2.1", 1.0),
        ("11.2.2", 2.0),
        ("11.2.6", 5.0),
        ("11.3", 6.0),
        ("11.3.1", 3.0),
        ("11.4", 2.0),
    ),
    "Windows": (("7", 3.0), ("8.1", 1.0), ("10", 8.0), ("XP", 0.2)),
    "Mac OS": (("10.11.6", 1.0), ("10.12.6", 2.0), ("10.13.3", 2.0), ("10.13.4", 3.0)),
    "Linux": (("", 2.0), ("x86_64", 1.0)),
    "Chromium OS": (("10452.96.0", 1.0), ("10575.58.0", 1.0)),
    "Ubuntu": (("16.04", 1.0), ("18.04", 1.0)),
    "FreeBSD": (("11.1", 1.0),),
    "Windows Phone": (("8.0", 1.0), ("8.1", 4.0), ("10.0", 2.0)),
    "KaiOS": (("2.0", 1.0), ("2.5", 2.0)),
    "BlackBerry": (("7.1.0", 1.0), ("10", 2.0)),
    "Tizen": (("2.3", 1.0), ("2.4", 1.0), ("3.0", 2.0)),
    "Symbian": (("9.2", 1.0), ("9.4", 1.0)),
    "Firefox OS": (("2.0", 1.0),),
    "Sailfish": (("2.1.4", 1.0),),
    "Fire OS": (("5.6.0.0", 1.0), ("6.0", 1.0)),
}

_CHROME_VERSIONS: tuple[tuple[str, float], ...] = (
    ("66.0.3359.158", 5.0),
    ("65.0.3325.109", 3.0),
    ("66.0.3359.126", 2.5),
    ("64.0.3282.137", 1.2),
    ("63.0.3239.111", 1.0),
    ("67.0.3396.68", 0.8),
    ("67.0.3396.87", 0.8),
    ("55.0.2883.91", 0.8),
    ("50.0.2661.89", 0.4),
)

_BROWSER_VERSIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "Chrome": _CHROME_VERSIONS,
    "Chrome WebView": (*_CHROME_VERSIONS, ("44.0.2403.119", 1.0), ("60.0.3112.116", 0.6)),
    "Chromium": (("65.0.3325.181", 1.0), ("66.0.3359.139", 1.0)),
    "Android Browser": (("4.0", 12.0), ("4.1", 0.3)),
    "Samsung Browser": (("6.2", 1.0), ("6.4", 2.0), ("7.0", 2.0), ("7.2", 1.0)),
    "UCBrowser": (("11.3.8.976", 2.0), ("11.4.5.1005", 1.0), ("11.5.0.1015", 1.0)),
    "Facebook": (("166.0.0.66.95", 1.0), ("169.0.0.50.95", 1.0), ("170.0.0.60.91", 1.0)),
    "Instagram": (("41.0.0.13.92", 1.0), ("42.0.0.19.95", 1.0)),
    "Mobile Safari": (("11.0", 6.0), ("10.0", 3.0), ("9.0", 1.0), ("11.1", 1.0)),
    "Safari": (("11.1", 2.0), ("11.0.3", 1.0), ("10.1.2", 1.0)),
    "Opera Mini": (("32.0.2254", 1.0), ("33.0.2254", 1.0), ("8.0.1807", 1.0), ("4.2.14912", 0.5)),
    "Opera": (("45.0.2254", 1.0), ("52.0.2871", 1.0), ("53.0.2907", 1.0)),
    "MIUI Browser": (("9.5.10", 1.0), ("9.6.2", 1.0), ("10.0.2", 1.0)),
    "Firefox": (("59.0", 2.0), ("60.0", 2.0), ("52.0", 1.0), ("61.0", 0.5)),
    "Edge": (("16.16299", 2.0), ("17.17134", 2.0), ("15.15063", 1.0)),
    "IE": (("11.0", 4.0), ("10.0", 1.0), ("9.0", 0.5)),
    "IEMobile": (("11.0", 3.0), ("10.0", 1.0)),
    "GSA": (("49.0.194", 1.0), ("50.0.197", 1.0), ("51.0.202", 1.0)),
    "WebKit": (("604.1.38", 1.0), ("605.1.15", 1.0), ("603.3.8", 1.0)),
    "Yandex": (("18.3.1.1232", 1.0), ("18.4.0.649", 1.0)),
    "QQBrowser": (("8.2.1", 1.0), ("8.7.0", 1.0)),
    "Silk": (("64.2.10", 1.0), ("65.3.5", 1.0)),
}
_DEFAULT_BROWSER_VERSIONS: tuple[tuple[str, float], ...] = (("1.0", 1.0), ("2.1.3", 1.0))


@dataclasses.dataclass(frozen=True)
class GeneratorConfig:
    """Size, seed and drift of a generated sample.

    ``shift`` (0..1) draws the *requests* (never the events) from a shifted user
    distribution: category weights are flattened towards the rare tail (countries,
    cities, device types, operating systems, browsers) and every location moves by up
    to (+1.5°, -2.5°) in (lat, long). It exists to exercise drift detection.
    """

    n_events: int = 50_000
    n_requests: int = 5_000
    n_campaigns: int = 3
    seed: int = 13
    shift: float = 0.0

    def __post_init__(self) -> None:
        """Reject sizes and strengths the generator cannot honour."""
        if self.n_events < 0 or self.n_requests < 0:
            raise ValueError("n_events and n_requests must be >= 0")
        if self.n_campaigns < 1:
            raise ValueError("n_campaigns must be >= 1")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if not 0.0 <= self.shift <= 1.0:
            raise ValueError("shift must be within [0, 1]")


# --------------------------------------------------------------------------------------
# Vectorised nested categorical sampling
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Nested:
    """A categorical distribution per parent, flattened so one ``searchsorted`` samples it.

    Edge ``e`` links ``parent[e]`` to ``child[e]``; edges are grouped by parent and
    ``cum[e] = parent + P(child <= e | parent)``, which is strictly increasing over the
    whole array, so ``searchsorted(cum, parent + u)`` draws every row's child at once.
    """

    parent: IntArray
    child: IntArray
    weight: FloatArray
    cum: FloatArray
    start: IntArray
    stop: IntArray

    @classmethod
    def build(
        cls, parent: Sequence[int], child: Sequence[int], weight: Sequence[float], n_parents: int
    ) -> _Nested:
        """Build from edge lists; parents must be contiguous, ascending and all present."""
        par = np.asarray(parent, dtype=np.int64)
        chi = np.asarray(child, dtype=np.int64)
        w = np.asarray(weight, dtype=np.float64)
        if par.size and np.any(np.diff(par) < 0):
            raise ValueError("edges must be grouped by ascending parent")
        counts = np.bincount(par, minlength=n_parents)
        totals = np.bincount(par, weights=w, minlength=n_parents)
        if np.any(counts == 0) or np.any(totals <= 0):
            raise ValueError("every parent needs at least one edge with positive weight")
        stop = np.cumsum(counts)
        start = stop - counts
        within = w / totals[par]
        csum = np.cumsum(within)
        before = np.concatenate(([0.0], csum))[start]
        cum = par + (csum - before[par])
        cum[stop - 1] = np.arange(n_parents, dtype=np.float64) + 1.0  # exact group ends
        return cls(par, chi, w, cum, start, stop)

    def tempered(self, power: float) -> _Nested:
        """Same support, weights raised to ``power`` (<1 flattens towards the tail)."""
        return _Nested.build(self.parent, self.child, self.weight**power, len(self.start))

    def sample(self, parents: IntArray, u: FloatArray) -> IntArray:
        """Draw one child per row given its parent code and a uniform(0, 1) number."""
        # u is capped below 1 so parent + u stays inside the parent's (p, p + 1] range.
        edge = np.searchsorted(self.cum, parents + np.minimum(u, 1.0 - 1e-9), side="right")
        return self.child[edge]


def _rng(*key: int) -> np.random.Generator:
    """A PCG64 generator for one independent, named stream of a seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(list(key))))


def _nested_from_table(
    parents: Sequence[str], table: Mapping[str, Sequence[tuple[str, float]]], children: list[str]
) -> _Nested:
    """Flatten ``{parent: [(child, weight), ...]}``, interning child names in ``children``."""
    index = {name: i for i, name in enumerate(children)}
    par: list[int] = []
    chi: list[int] = []
    wts: list[float] = []
    for p, parent in enumerate(parents):
        for name, w in table[parent]:
            if name not in index:
                index[name] = len(children)
                children.append(name)
            par.append(p)
            chi.append(index[name])
            wts.append(w)
    return _Nested.build(par, chi, wts, len(parents))


# --------------------------------------------------------------------------------------
# The world: static tables + seeded location points and ISP networks
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _World:
    """Every category the generator can emit, with sampling tables and string pools."""

    countries: tuple[str, ...]
    country_pick: _Nested
    cities: tuple[str, ...]
    city_pick: _Nested  # parent: country
    city_lat: FloatArray
    city_long: FloatArray
    point_lat: FloatArray  # (n_cities * _POINTS_PER_CITY,), unshifted, 4 decimals
    point_long: FloatArray
    isps: tuple[str, ...]
    isp_pick: _Nested  # parent: country
    networks: tuple[str, ...]  # _NETWORKS_PER_ISP per ISP, then "" last
    dtypes: tuple[str, ...]
    dtype_pick: _Nested
    oses: tuple[str, ...]
    os_pick: _Nested  # parent: dtype
    os_versions: tuple[str, ...]
    os_version_pick: _Nested  # parent: os
    browsers: tuple[str, ...]
    browser_pick: _Nested  # parent: os
    browser_versions: tuple[str, ...]
    browser_version_pick: _Nested  # parent: browser


def _parse_country_table(
    text: str,
) -> list[tuple[str, float, list[tuple[str, float, float, float]], list[str]]]:
    """Parse ``_COUNTRY_TABLE`` into (code, weight, cities, isps) tuples."""
    out: list[tuple[str, float, list[tuple[str, float, float, float]], list[str]]] = []
    for raw in text.strip("\n").splitlines():
        line = raw.strip()
        if not raw.startswith(" "):
            code, weight = line.split()
            out.append((code, float(weight), [], []))
        elif line.startswith("@"):
            out[-1][3].extend(part.strip() for part in line[1:].split(" | "))
        else:
            for part in line.split(" | "):
                name, lat, lon, w = part.strip().rsplit(":", 3)
                out[-1][2].append((name, float(lat), float(lon), float(w)))
    return out


def _format_coordinates(values: FloatArray) -> tuple[str, ...]:
    """Format coordinates like the seed: shortest repr of a 4-decimal number."""
    return tuple(repr(float(v)) if v != 0 else "0.0" for v in np.round(values, 4))


@lru_cache(maxsize=8)
def _world(seed: int) -> _World:
    """Build the category tables and the seeded location points / networks."""
    rng = _rng(seed, _STREAM_WORLD)
    table = _parse_country_table(_COUNTRY_TABLE)
    countries = tuple(code for code, *_ in table)
    country_pick = _Nested.build([0] * len(table), range(len(table)), [w for _, w, *_ in table], 1)

    cities: list[str] = []
    city_par: list[int] = []
    city_w: list[float] = []
    city_lat: list[float] = []
    city_long: list[float] = []
    isps: list[str] = []
    isp_par: list[int] = []
    isp_w: list[float] = []
    for c, (_, _, city_rows, isp_names) in enumerate(table):
        for name, lat, lon, w in city_rows:
            cities.append(name)
            city_par.append(c)
            city_w.append(w)
            city_lat.append(lat)
            city_long.append(lon)
        for rank, name in enumerate(isp_names):
            isps.append(name)
            isp_par.append(c)
            isp_w.append(1.0 / (rank + 1.0) ** 0.8)
    city_pick = _Nested.build(city_par, range(len(cities)), city_w, len(countries))
    isp_pick = _Nested.build(isp_par, range(len(isps)), isp_w, len(countries))

    # Geolocated points: the city centroid plus jittered neighbours (suburbs / IP blocks).
    clat = np.asarray(city_lat)
    clong = np.asarray(city_long)
    jitter = rng.normal(size=(2, len(cities), _POINTS_PER_CITY)) * np.array([[[0.07]], [[0.09]]])
    jitter[:, :, 0] = 0.0
    point_lat = np.round(np.clip(clat[:, None] + jitter[0], -89.9999, 89.9999), 4).ravel()
    point_long = np.round(_wrap_long(clong[:, None] + jitter[1]), 4).ravel()

    # A few CIDR ranges per ISP (dropped by the model, but filled plausibly).
    n_net = len(isps) * _NETWORKS_PER_ISP
    prefix = rng.integers(12, 23, size=n_net)
    first = rng.choice(np.setdiff1d(np.arange(1, 224), [10, 127]), size=n_net)
    rest = rng.integers(0, 2**24, size=n_net)
    base = ((first << 24) | rest) & ~((1 << (32 - prefix)) - 1) & 0xFFFFFFFF
    cidrs = [
        f"{b >> 24}.{(b >> 16) & 255}.{(b >> 8) & 255}.{b & 255}/{p}"
        for b, p in zip(base.tolist(), prefix.tolist(), strict=True)
    ]
    networks = (*cidrs, "")

    dtypes = tuple(name for name, _ in _DTYPES)
    dtype_pick = _Nested.build([0] * len(dtypes), range(len(dtypes)), [w for _, w in _DTYPES], 1)
    oses: list[str] = []
    os_pick = _nested_from_table(dtypes, _OS_BY_DTYPE, oses)
    browsers: list[str] = []
    browser_pick = _nested_from_table(oses, _BROWSER_BY_OS, browsers)
    os_versions: list[str] = []
    os_version_pick = _nested_from_table(oses, _OS_VERSIONS, os_versions)
    browser_versions: list[str] = []
    bv_table = {b: _BROWSER_VERSIONS.get(b, _DEFAULT_BROWSER_VERSIONS) for b in browsers}
    browser_version_pick = _nested_from_table(browsers, bv_table, browser_versions)

    return _World(
        countries=countries,
        country_pick=country_pick,
        cities=tuple(cities),
        city_pick=city_pick,
        city_lat=clat,
        city_long=clong,
        point_lat=point_lat,
        point_long=point_long,
        isps=tuple(isps),
        isp_pick=isp_pick,
        networks=networks,
        dtypes=dtypes,
        dtype_pick=dtype_pick,
        oses=tuple(oses),
        os_pick=os_pick,
        os_versions=tuple(os_versions),
        os_version_pick=os_version_pick,
        browsers=tuple(browsers),
        browser_pick=browser_pick,
        browser_versions=tuple(browser_versions),
        browser_version_pick=browser_version_pick,
    )


def _wrap_long(values: FloatArray) -> FloatArray:
    """Wrap longitudes into [-180, 180)."""
    return (values + 180.0) % 360.0 - 180.0


@dataclasses.dataclass(frozen=True)
class _UserModel:
    """The (possibly shifted) user distribution: samplers plus coordinate string pools."""

    world: _World
    country_pick: _Nested
    city_pick: _Nested
    dtype_pick: _Nested
    os_pick: _Nested
    browser_pick: _Nested
    point_lat: FloatArray
    point_long: FloatArray
    lat_strings: tuple[str, ...]
    long_strings: tuple[str, ...]


@lru_cache(maxsize=16)
def _user_model(seed: int, shift: float) -> _UserModel:
    """Temper the category weights and move the locations by ``shift`` (0 = unchanged)."""
    world = _world(seed)
    power = 1.0 - 0.8 * shift
    if shift > 0:
        point_lat = np.round(np.clip(world.point_lat + 1.5 * shift, -89.9999, 89.9999), 4)
        point_long = np.round(_wrap_long(world.point_long - 2.5 * shift), 4)
    else:
        point_lat, point_long = world.point_lat, world.point_long
    return _UserModel(
        world=world,
        country_pick=world.country_pick.tempered(power),
        city_pick=world.city_pick.tempered(power),
        dtype_pick=world.dtype_pick.tempered(power),
        os_pick=world.os_pick.tempered(power),
        browser_pick=world.browser_pick.tempered(power),
        point_lat=point_lat,
        point_long=point_long,
        lat_strings=_format_coordinates(point_lat),
        long_strings=_format_coordinates(point_long),
    )


@dataclasses.dataclass(frozen=True)
class _Users:
    """Integer codes of drawn users (indices into the world's pools) and their location."""

    country: IntArray
    city: IntArray
    point: IntArray
    isp: IntArray
    network: IntArray
    dtype: IntArray
    os: IntArray
    os_version: IntArray
    browser: IntArray
    browser_version: IntArray
    lat: FloatArray
    long: FloatArray


def _draw_users(model: _UserModel, n: int, rng: np.random.Generator) -> _Users:
    """Draw ``n`` users at once: country → city → point/ISP, device type → OS → browser."""
    w = model.world
    u = rng.random((11, n))
    zeros = np.zeros(n, dtype=np.int64)
    country = model.country_pick.sample(zeros, u[0])
    city = model.city_pick.sample(country, u[1])
    point = city * _POINTS_PER_CITY + (u[2] * _POINTS_PER_CITY).astype(np.int64)
    isp = w.isp_pick.sample(country, u[3])
    network = isp * _NETWORKS_PER_ISP + (u[4] * _NETWORKS_PER_ISP).astype(np.int64)
    network = np.where(u[5] < _EMPTY_NETWORK_RATE, len(w.networks) - 1, network)
    dtype = model.dtype_pick.sample(zeros, u[6])
    os_ = model.os_pick.sample(dtype, u[7])
    browser = model.browser_pick.sample(os_, u[8])
    return _Users(
        country=country,
        city=city,
        point=point,
        isp=isp,
        network=network,
        dtype=dtype,
        os=os_,
        os_version=w.os_version_pick.sample(os_, u[9]),
        browser=browser,
        browser_version=w.browser_version_pick.sample(browser, u[10]),
        lat=model.point_lat[point],
        long=model.point_long[point],
    )


def _string_type(n: int) -> pa.DataType:
    """32-bit offsets while they cannot overflow, 64-bit beyond."""
    return pa.large_string() if n > _LARGE_STRING_ROWS else pa.string()


def _take(pool: Sequence[str], codes: IntArray, type_: pa.DataType) -> pa.Array:
    """Materialise a string column from a small pool and per-row codes (C++ take)."""
    return pa.array(pool, type=type_).take(pa.array(codes, type=pa.int64()))


def _user_arrays(model: _UserModel, users: _Users, type_: pa.DataType) -> dict[str, pa.Array]:
    """String columns for the user fields, formatted like the seed."""
    w = model.world
    return {
        "country": _take(w.countries, users.country, type_),
        "city": _take(w.cities, users.city, type_),
        "long": _take(model.long_strings, users.point, type_),
        "lat": _take(model.lat_strings, users.point, type_),
        "isp": _take(w.isps, users.isp, type_),
        "network": _take(w.networks, users.network, type_),
        "dOs": _take(w.oses, users.os, type_),
        "dType": _take(w.dtypes, users.dtype, type_),
        "dOsVersion": _take(w.os_versions, users.os_version, type_),
        "dBrowser": _take(w.browsers, users.browser, type_),
        "dBrowserVersion": _take(w.browser_versions, users.browser_version, type_),
    }


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _uuid4_bytes(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """``n`` random version-4 UUIDs as canonical lowercase ASCII, shape (n, 36)."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexd = np.empty((n, 32), dtype=np.uint8)
    hexd[:, 0::2] = _HEX_DIGITS[raw >> 4]
    hexd[:, 1::2] = _HEX_DIGITS[raw & 0x0F]
    out = np.full((n, 36), ord("-"), dtype=np.uint8)
    for dst, src, width in ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12)):
        out[:, dst : dst + width] = hexd[:, src : src + width]
    return out


def _uuid4_array(rng: np.random.Generator, n: int, type_: pa.DataType) -> pa.Array:
    """``n`` UUID strings as an Arrow array built straight from the byte buffer."""
    data = _uuid4_bytes(rng, n)
    offset_type = np.int64 if type_ == pa.large_string() else np.int32
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=offset_type)
    return pa.Array.from_buffers(
        type_, n, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))]
    )


def _uuid4_strings(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` UUID strings as Python strings (for the few campaign/offer ids)."""
    return [row.tobytes().decode("ascii") for row in _uuid4_bytes(rng, n)]


# --------------------------------------------------------------------------------------
# Campaigns and the true offer model
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Campaign:
    """One campaign's offers and its true softmax model over user features.

    ``logit_k(x) = T * (bias_k + country_k + os_k + browser_k + dtype_k + loc_k(lat, long))``
    where ``loc_k`` is a sum of a few seeded cosine waves over (lat, long), so location
    matters within a country too. Effect tables carry one extra zero row for values the
    generator never emits (index -1). ``T`` is calibrated so the Bayes error of the
    unshifted user distribution equals ``target_error``.
    """

    campaign_id: str
    offers: tuple[str, ...]
    share: float
    bias: FloatArray
    country_eff: FloatArray
    os_eff: FloatArray
    browser_eff: FloatArray
    dtype_eff: FloatArray
    loc_freq: FloatArray  # (J, 2) radians per degree for (lat, long)
    loc_phase: FloatArray  # (J,)
    loc_coef: FloatArray  # (J, K)
    temperature: float
    target_error: float

    def raw_logits(
        self,
        country: IntArray,
        os_: IntArray,
        browser: IntArray,
        dtype: IntArray,
        lat: FloatArray,
        long: FloatArray,
    ) -> FloatArray:
        """Untempered logits, shape (n, K); unknown codes are -1, NaN coords add nothing."""
        waves = np.cos(
            np.outer(lat, self.loc_freq[:, 0])
            + np.outer(long, self.loc_freq[:, 1])
            + self.loc_phase
        )
        loc = np.einsum("nj,jk->nk", waves, self.loc_coef)  # faster than BLAS at this shape
        unknown = ~(np.isfinite(lat) & np.isfinite(long))
        if unknown.any():
            loc[unknown] = 0.0
        return (
            self.bias
            + self.country_eff[country]
            + self.os_eff[os_]
            + self.browser_eff[browser]
            + self.dtype_eff[dtype]
            + loc
        )

    def probabilities(
        self,
        country: IntArray,
        os_: IntArray,
        browser: IntArray,
        dtype: IntArray,
        lat: FloatArray,
        long: FloatArray,
    ) -> FloatArray:
        """True P(offer | features), shape (n, K), rows summing to 1."""
        return _softmax(self.temperature * self.raw_logits(country, os_, browser, dtype, lat, long))


def _softmax(z: FloatArray) -> FloatArray:
    """Row-wise softmax, numerically stable."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _bayes_error_of_logits(z: FloatArray, temperature: float) -> float:
    """Mean of ``1 - max_k softmax(T z)_k``."""
    p = _softmax(temperature * z)
    return float(np.mean(1.0 - p.max(axis=1)))


@lru_cache(maxsize=4)
def _calibration_users(seed: int) -> _Users:
    """A fixed, unshifted user sample used only to calibrate campaign temperatures."""
    return _draw_users(_user_model(seed, 0.0), _CALIBRATION_USERS, _rng(seed, _STREAM_CALIBRATION))


@lru_cache(maxsize=256)
def _campaign(seed: int, index: int) -> _Campaign:
    """Campaign ``index`` of a seed; independent of how many campaigns are generated."""
    world = _world(seed)
    rng = _rng(seed, _STREAM_CAMPAIGN, index)
    campaign_id = _uuid4_strings(rng, 1)[0]
    k = 2 if index == 0 else int(rng.choice([2, 3, 4, 5], p=[0.15, 0.35, 0.3, 0.2]))
    offers = tuple(_uuid4_strings(rng, k))
    share = float(np.exp(rng.normal(0.0, 0.25)) / (1.0 + index) ** 0.6)

    def effects(n_values: int, scale: float) -> FloatArray:
        table = rng.normal(0.0, scale, size=(n_values + 1, k))
        table[-1] = 0.0  # unknown value
        return table

    bias = rng.normal(0.0, 0.6, size=k)
    country_eff = effects(len(world.countries), 1.0)
    os_eff = effects(len(world.oses), 0.6)
    browser_eff = effects(len(world.browsers), 0.8)
    dtype_eff = effects(len(world.dtypes), 0.5)
    n_waves = 6
    wavelength = np.where(np.arange(n_waves) < 3, 20.0, 6.0)  # degrees: regional + local
    loc_freq = rng.normal(size=(n_waves, 2)) * (2.0 * np.pi / wavelength)[:, None]
    loc_phase = rng.uniform(0.0, 2.0 * np.pi, size=n_waves)
    loc_coef = rng.normal(0.0, 0.9 * np.sqrt(2.0 / n_waves), size=(n_waves, k))
    target = float(rng.uniform(*_TARGET_BAYES_ERROR))

    draft = _Campaign(
        campaign_id=campaign_id,
        offers=offers,
        share=share,
        bias=bias,
        country_eff=country_eff,
        os_eff=os_eff,
        browser_eff=browser_eff,
        dtype_eff=dtype_eff,
        loc_freq=loc_freq,
        loc_phase=loc_phase,
        loc_coef=loc_coef,
        temperature=1.0,
        target_error=target,
    )
    users = _calibration_users(seed)
    z = draft.raw_logits(users.country, users.os, users.browser, users.dtype, users.lat, users.long)
    lo, hi = np.log(1e-3), np.log(1e3)  # error decreases monotonically in T
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _bayes_error_of_logits(z, float(np.exp(mid))) > target:
            lo = mid
        else:
            hi = mid
    return dataclasses.replace(draft, temperature=float(np.exp(0.5 * (lo + hi))))


def _campaigns(cfg: GeneratorConfig) -> tuple[_Campaign, ...]:
    """The config's campaigns, in order."""
    return tuple(_campaign(cfg.seed, i) for i in range(cfg.n_campaigns))


def campaign_offers(cfg: GeneratorConfig) -> dict[str, tuple[str, ...]]:
    """Campaign id → its offer ids, in class-index order (as in probability arrays)."""
    return {c.campaign_id: c.offers for c in _campaigns(cfg)}


def _campaign_codes(cfg: GeneratorConfig, n: int, rng: np.random.Generator) -> IntArray:
    """Each row's campaign index, drawn from the campaigns' traffic shares."""
    shares = np.array([c.share for c in _campaigns(cfg)])
    return np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(n), side="right").clip(
        0, cfg.n_campaigns - 1
    )


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------
def _events_table(cfg: GeneratorConfig) -> pa.Table:
    """Events as an Arrow table of strings (EVENT_COLUMNS order)."""
    n = cfg.n_events
    rng = _rng(cfg.seed, _STREAM_EVENTS)
    type_ = _string_type(n)
    campaigns = _campaigns(cfg)
    model = _user_model(cfg.seed, 0.0)
    ids = _uuid4_array(rng, n, type_)
    camp = _campaign_codes(cfg, n, rng)
    users = _draw_users(model, n, rng)
    u_offer = rng.random(n)

    offer_offsets = np.cumsum([0] + [len(c.offers) for c in campaigns])
    offer = np.empty(n, dtype=np.int64)
    for ci, c in enumerate(campaigns):
        rows = np.flatnonzero(camp == ci)
        for lo in range(0, rows.size, _CHUNK_ROWS):
            r = rows[lo : lo + _CHUNK_ROWS]
            p = c.probabilities(
                users.country[r],
                users.os[r],
                users.browser[r],
                users.dtype[r],
                users.lat[r],
                users.long[r],
            )
            local = (p.cumsum(axis=1) < u_offer[r, None]).sum(axis=1)
            offer[r] = offer_offsets[ci] + np.minimum(local, len(c.offers) - 1)

    columns = {
        "id": ids,
        "campaign": _take([c.campaign_id for c in campaigns], camp, type_),
        "offer": _take([o for c in campaigns for o in c.offers], offer, type_),
        **_user_arrays(model, users, type_),
    }
    return pa.table({name: columns[name] for name in EVENT_COLUMNS})


def _requests_table(cfg: GeneratorConfig) -> pa.Table:
    """Requests as an Arrow table of strings (REQUEST_COLUMNS order)."""
    n = cfg.n_requests
    rng = _rng(cfg.seed, _STREAM_REQUESTS)
    type_ = _string_type(n)
    campaigns = _campaigns(cfg)
    model = _user_model(cfg.seed, float(cfg.shift))
    ids = _uuid4_array(rng, n, type_)
    if cfg.shift:
        # Shifted requests are a new batch: fresh ids, so they are not taken for
        # duplicates of the unshifted batch of the same seed.
        salt = 1 + round(float(cfg.shift) * 1_000_000)
        ids = _uuid4_array(_rng(cfg.seed, _STREAM_REQUESTS, salt), n, type_)
    camp = _campaign_codes(cfg, n, rng)
    users = _draw_users(model, n, rng)
    columns = {
        "id": ids,
        "campaign": _take([c.campaign_id for c in campaigns], camp, type_),
        **_user_arrays(model, users, type_),
    }
    return pa.table({name: columns[name] for name in REQUEST_COLUMNS})


def generate_events(cfg: GeneratorConfig) -> pd.DataFrame:
    """Conversion events: one row per conversion, columns ``EVENT_COLUMNS``, all strings.

    Each row's offer is drawn from :func:`true_offer_probabilities` for its campaign, so
    a model trained on these rows can at best reach the Bayes error.
    """
    return _events_table(cfg).to_pandas()


def generate_requests(cfg: GeneratorConfig) -> pd.DataFrame:
    """Scoring requests: columns ``REQUEST_COLUMNS`` (``id`` = request id), all strings.

    Users come from the same distribution as the events unless ``cfg.shift > 0``.
    """
    return _requests_table(cfg).to_pandas()


# --------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------
def _codes(values: pd.Series, pool: Sequence[str]) -> IntArray:
    """Index of each value in ``pool`` (exact, case-sensitive); -1 when absent."""
    arr = pa.array(values, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    idx = pc.index_in(arr, value_set=pa.array(pool, type=arr.type))
    return np.asarray(pc.fill_null(idx, -1), dtype=np.int64)


def _features(
    users_df: pd.DataFrame, cfg: GeneratorConfig
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    """Encode the feature columns of a frame into the world's codes and float coords."""
    missing = [c for c in FEATURE_COLUMNS if c not in users_df.columns]
    if missing:
        raise KeyError(f"frame lacks feature columns {missing}")
    w = _world(cfg.seed)
    lat = pd.to_numeric(users_df["lat"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    long = pd.to_numeric(users_df["long"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return (
        _codes(users_df["country"], w.countries),
        _codes(users_df["dOs"], w.oses),
        _codes(users_df["dBrowser"], w.browsers),
        _codes(users_df["dType"], w.dtypes),
        lat,
        long,
    )


def true_offer_probabilities(
    users_df: pd.DataFrame, cfg: GeneratorConfig, campaigns: Sequence[str] | None = None
) -> dict[str, FloatArray]:
    """The generator's true P(offer | user) for every row, per campaign.

    Returns ``{campaign_id: array (len(users_df), n_offers)}`` with columns in the
    order of :func:`campaign_offers`. Every row is scored for every requested campaign
    (``campaigns=None`` means all), whatever its own ``campaign`` column says; use
    :func:`bayes_error` / :func:`oracle_predict` for "own campaign" results. Only
    ``FEATURE_COLUMNS`` are read; values the generator never emits contribute nothing
    and unparsable coordinates are treated as "no location effect".
    """
    feats = _features(users_df, cfg)
    by_id = {c.campaign_id: c for c in _campaigns(cfg)}
    wanted = list(by_id) if campaigns is None else list(campaigns)
    unknown = [c for c in wanted if c not in by_id]
    if unknown:
        raise KeyError(f"unknown campaigns {unknown}")
    out: dict[str, FloatArray] = {}
    for cid in wanted:
        c = by_id[cid]
        parts = [
            c.probabilities(*(f[lo : lo + _CHUNK_ROWS] for f in feats))
            for lo in range(0, len(users_df), _CHUNK_ROWS)
        ]
        out[cid] = np.concatenate(parts) if parts else np.empty((0, len(c.offers)))
    return out


def _own_campaign_probabilities(
    df: pd.DataFrame, cfg: GeneratorConfig
) -> list[tuple[_Campaign, IntArray, FloatArray]]:
    """For each campaign present in ``df``: (campaign, row positions, true probabilities)."""
    if "campaign" not in df.columns:
        raise KeyError("frame lacks the 'campaign' column")
    campaigns = _campaigns(cfg)
    code = _codes(df["campaign"], [c.campaign_id for c in campaigns])
    if np.any(code < 0):
        bad = sorted(set(df["campaign"].to_numpy()[code < 0].tolist()))[:5]
        raise ValueError(f"rows for campaigns this config does not generate: {bad}")
    feats = _features(df, cfg)
    out: list[tuple[_Campaign, IntArray, FloatArray]] = []
    for ci, c in enumerate(campaigns):
        rows = np.flatnonzero(code == ci)
        if rows.size:
            out.append((c, rows, c.probabilities(*(f[rows] for f in feats))))
    return out


def bayes_error_by_campaign(df: pd.DataFrame, cfg: GeneratorConfig) -> dict[str, float]:
    """Per campaign present in ``df``: ``mean(1 - max_k p_k(x))`` over its rows.

    This is the expected error rate of the Bayes-optimal classifier (predict the most
    probable offer under the true model) on exactly these rows; campaigns without rows
    are omitted.
    """
    return {
        c.campaign_id: float(np.mean(1.0 - p.max(axis=1)))
        for c, _, p in _own_campaign_probabilities(df, cfg)
    }


def bayes_error(df: pd.DataFrame, cfg: GeneratorConfig) -> float:
    """Expected Bayes-optimal error over all rows of ``df`` (each for its own campaign)."""
    parts = _own_campaign_probabilities(df, cfg)
    total = sum(float(np.sum(1.0 - p.max(axis=1))) for _, _, p in parts)
    return total / len(df) if len(df) else float("nan")


def oracle_predict(df: pd.DataFrame, cfg: GeneratorConfig) -> npt.NDArray[np.object_]:
    """The Bayes-optimal prediction (most probable offer id) for every row of ``df``."""
    out = np.empty(len(df), dtype=object)
    for c, rows, p in _own_campaign_probabilities(df, cfg):
        out[rows] = np.asarray(c.offers, dtype=object)[p.argmax(axis=1)]
    return out


def oracle_error(events_df: pd.DataFrame, cfg: GeneratorConfig) -> float:
    """Share of events whose actual ``offer`` differs from :func:`oracle_predict`.

    The realised counterpart of :func:`bayes_error` on labelled rows: a trained model's
    hamming loss on a test split can be compared with this number on the same rows.
    """
    pred = oracle_predict(events_df, cfg)
    return float(np.mean(pred != events_df["offer"].to_numpy(dtype=object)))


def empirical_bayes_error(
    df: pd.DataFrame, cfg: GeneratorConfig, seed: int = 0, repeats: int = 1
) -> float:
    """Monte-Carlo check of :func:`bayes_error`: draw offers for ``df``'s rows from the
    true probabilities ``repeats`` times, predict the argmax, return the error rate.

    Its standard error is about ``sqrt(e (1 - e) / (len(df) * repeats))``.
    """
    rng = _rng(cfg.seed, _STREAM_EMPIRICAL, seed)
    wrong = 0
    for _, _, p in _own_campaign_probabilities(df, cfg):
        best = p.argmax(axis=1)
        u = rng.random((repeats, len(p)))
        drawn = (p.cumsum(axis=1)[None, :, :] < u[:, :, None]).sum(axis=2)
        drawn = np.minimum(drawn, p.shape[1] - 1)
        wrong += int(np.sum(drawn != best[None, :]))
    return wrong / (len(df) * repeats) if len(df) else float("nan")


# --------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------
def _json_body(arr: pa.Array) -> tuple[pa.Array, bool]:
    """Values as JSON string content: unchanged when nothing needs escaping, else as
    complete ``json.dumps(v, ensure_ascii=False)`` literals. Returns (array, quoted)."""
    if arr.null_count:
        raise ValueError("JSON writer does not expect nulls")
    raw = np.frombuffer(_string_bytes(arr), dtype=np.uint8)
    if not np.any((raw < 0x20) | (raw == 0x22) | (raw == 0x5C)):  # control, '"', '\\'
        return arr, False
    enc = arr.dictionary_encode()
    quoted = pa.array([json.dumps(v, ensure_ascii=False) for v in enc.dictionary.to_pylist()])
    return quoted.take(enc.indices), True


def _string_bytes(arr: pa.Array) -> memoryview:
    """The concatenated UTF-8 bytes of a null-free string array (zero copy)."""
    offset_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=offset_type)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = arr.buffers()[2]
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])] if data else memoryview(b"")


def _write_jsonl(table: pa.Table, path: Path) -> None:
    """JSON lines, keys in column order, compact separators, UTF-8 (like the seed).

    Byte-identical to ``json.dumps(row, ensure_ascii=False, separators=(",", ":"))`` per
    line, built with one Arrow string join per block instead of a Python loop per row.
    """
    with path.open("wb") as fh:
        for lo in range(0, table.num_rows, _CHUNK_ROWS // 2):
            chunk = table.slice(lo, _CHUNK_ROWS // 2)
            parts: list[pa.Array | str] = []
            literal = "{"
            for i, name in enumerate(chunk.column_names):
                col = chunk.column(name)
                arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
                body, quoted = _json_body(arr.cast(pa.string()))  # a block fits 32-bit offsets
                literal += ("," if i else "") + json.dumps(name) + ":" + ("" if quoted else '"')
                parts += [literal, body]
                literal = "" if quoted else '"'
            parts.append(literal + "}\n")
            fh.write(_string_bytes(pc.binary_join_element_wise(*parts, "")))


def _write_table(table: pa.Table, path: Path, fmt: Format) -> None:
    """Write one table in the requested format."""
    if fmt == "json":
        _write_jsonl(table, path)
    elif fmt == "csv":
        pacsv.write_csv(table, path)
    elif fmt == "parquet":
        pq.write_table(table, path)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")


def write_sample(out_dir: Path, cfg: GeneratorConfig, fmt: Format = "json") -> dict[str, object]:
    """Write events, requests and ground-truth metadata under ``out_dir``.

    Files: ``landing/conversions.<fmt>``, ``requests/requests.<fmt>`` (``json`` means
    JSON lines in the seed's key order; ``csv`` has a header and quotes every value;
    ``parquet`` via pyarrow) and ``sample_meta.json`` holding the seed, sizes, each
    campaign's offers and the Bayes error of the written requests. Returns the metadata.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    out_dir = Path(out_dir)
    (out_dir / "landing").mkdir(parents=True, exist_ok=True)
    (out_dir / "requests").mkdir(parents=True, exist_ok=True)
    _write_table(_events_table(cfg), out_dir / "landing" / f"conversions.{fmt}", fmt)
    requests = _requests_table(cfg)
    _write_table(requests, out_dir / "requests" / f"requests.{fmt}", fmt)

    requests_df = requests.to_pandas()
    meta: dict[str, object] = {
        "seed": cfg.seed,
        "n_events": cfg.n_events,
        "n_requests": cfg.n_requests,
        "n_campaigns": cfg.n_campaigns,
        "shift": cfg.shift,
        "format": fmt,
        "campaigns": {
            cid: {"offers": list(offers)} for cid, offers in campaign_offers(cfg).items()
        },
        "bayes_error": bayes_error(requests_df, cfg) if len(requests_df) else None,
        "bayes_error_by_campaign": bayes_error_by_campaign(requests_df, cfg),
    }
    (out_dir / "sample_meta.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write a sample and print a one-line summary."""
    parser = argparse.ArgumentParser(
        prog="python -m warehouse_ml.generator",
        description="Write a deterministic sample of conversion events and scoring requests.",
    )
    defaults = GeneratorConfig()
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--events", type=int, default=defaults.n_events)
    parser.add_argument("--requests", type=int, default=defaults.n_requests)
    parser.add_argument("--campaigns", type=int, default=defaults.n_campaigns)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--format", choices=FORMATS, default="json")
    parser.add_argument(
        "--shift", type=float, default=0.0, help="0..1: drift of the requests' users"
    )
    args = parser.parse_args(argv)
    try:
        cfg = GeneratorConfig(
            n_events=args.events,
            n_requests=args.requests,
            n_campaigns=args.campaigns,
            seed=args.seed,
            shift=args.shift,
        )
    except ValueError as exc:
        parser.error(str(exc))
    started = time.perf_counter()
    meta = write_sample(args.out, cfg, args.format)
    err = meta["bayes_error"]
    print(
        f"wrote {cfg.n_events} events and {cfg.n_requests} requests "
        f"({cfg.n_campaigns} campaigns, {args.format}, seed {cfg.seed}, shift {cfg.shift}) "
        f"to {args.out} in {time.perf_counter() - started:.1f}s; "
        f"bayes_error={'n/a' if err is None else f'{err:.4f}'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
