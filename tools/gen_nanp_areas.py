"""Generate src/qualdesk/core/nanp_areas.py: NANP area code -> ISO 3166-2 subdivision.

Calling-hours rules are set per jurisdiction (a US state, a Canadian province),
and phonenumbers only gives a free-text place name per number. This script
asks phonenumbers' geocoder about sample numbers in every area code once and
freezes the answer as a table, so an import pays a dict look-up, not a geocode.
Run it again after upgrading phonenumbers: `python tools/gen_nanp_areas.py`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import phonenumbers
from phonenumbers import geocoder

US = {
    "Alabama": "AL",
    "Alaska": "AK",
    "Arizona": "AZ",
    "Arkansas": "AR",
    "California": "CA",
    "Colorado": "CO",
    "Connecticut": "CT",
    "Delaware": "DE",
    "Florida": "FL",
    "Georgia": "GA",
    "Hawaii": "HI",
    "Idaho": "ID",
    "Illinois": "IL",
    "Indiana": "IN",
    "Iowa": "IA",
    "Kansas": "KS",
    "Kentucky": "KY",
    "Louisiana": "LA",
    "Maine": "ME",
    "Maryland": "MD",
    "Massachusetts": "MA",
    "Michigan": "MI",
    "Minnesota": "MN",
    "Mississippi": "MS",
    "Missouri": "MO",
    "Montana": "MT",
    "Nebraska": "NE",
    "Nevada": "NV",
    "New Hampshire": "NH",
    "New Jersey": "NJ",
    "New Mexico": "NM",
    "New York": "NY",
    "North Carolina": "NC",
    "North Dakota": "ND",
    "Ohio": "OH",
    "Oklahoma": "OK",
    "Oregon": "OR",
    "Pennsylvania": "PA",
    "Rhode Island": "RI",
    "South Carolina": "SC",
    "South Dakota": "SD",
    "Tennessee": "TN",
    "Texas": "TX",
    "Utah": "UT",
    "Vermont": "VT",
    "Virginia": "VA",
    "Washington": "WA",
    "Washington State": "WA",
    "Washington D.C.": "DC",
    "Washington DC": "DC",
    "West Virginia": "WV",
    "Wisconsin": "WI",
    "Wyoming": "WY",
}
CA = {
    "Alberta": "AB",
    "British Columbia": "BC",
    "British Colombia": "BC",
    "Manitoba": "MB",
    "New Brunswick": "NB",
    "Newfoundland and Labrador": "NL",
    "Nova Scotia": "NS",
    "Ontario": "ON",
    "Prince Edward Island": "PE",
    "Quebec": "QC",
    "Saskatchewan": "SK",
    "Northwest Territories": "NT",
    "Nunavut": "NU",
    "Yukon": "YT",
    "Nova Scotia/Prince Edward Island": "NS",
    "Yukon/Northwest Territories/Nunavut": "YT",
}
EXCHANGES = (555, 234, 321, 456, 789, 212, 600, 900, 333, 777)


def subdivision(region: str, place: str) -> str | None:
    """The ISO 3166-2 code for a geocoder place name, if it names a state or province."""
    table = US if region == "US" else CA if region == "CA" else {}
    if place in table:
        return f"{region}-{table[place]}"
    if place in table.values():
        return f"{region}-{place}"
    return None


def main() -> None:
    rows: dict[int, str] = {}
    for area in range(200, 1000):
        votes: Counter[str] = Counter()
        for exchange in EXCHANGES:
            number = phonenumbers.parse(f"+1{area}{exchange}0123")
            if not phonenumbers.is_valid_number(number):
                continue
            region = phonenumbers.region_code_for_number(number)
            place = geocoder.description_for_number(number, "en").split(", ")[-1]
            code = subdivision(region, place)
            if code:
                votes[code] += 1
        if votes:
            rows[area] = votes.most_common(1)[0][0]
    out = Path(__file__).parents[1] / "src/qualdesk/core/nanp_areas.py"
    lines = [
        '"""NANP area code -> US state or Canadian province (tools/gen_nanp_areas.py)."""',
        "",
        "AREA_SUBDIVISIONS: dict[str, str] = {",
    ]
    lines += [f'    "{area}": "{code}",' for area, code in sorted(rows.items())]
    lines += ["}", ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(rows)} area codes -> {out}")


if __name__ == "__main__":
    main()
