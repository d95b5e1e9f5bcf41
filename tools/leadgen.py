"""Messy lead files like marketing's: the sample in data/ and the bench's large files.

`python tools/leadgen.py` rewrites data/sample_leads.csv (seeded, so the file
only changes when this script does). `messy_leads(n, seed)` yields rows for
larger files; bench/ uses it.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import phonenumbers

HEADER = [
    "Full Name",
    "Company Name",
    "Job Title",
    "E-Mail",
    "Phone Number",
    "Country",
    "Lead Source",
    "Campaign",
    "Industry",
    "Employees",
    "Notes",
    "Booth Visit",
]

FIRST = {
    "US": [
        "James",
        "Maria",
        "Robert",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Patricia",
        "Carlos",
        "Aisha",
        "Kevin",
        "Nicole",
        "Brian",
        "Keisha",
        "Jason",
        "Emily",
    ],
    "CA": ["Liam", "Olivia", "Noah", "Chloé", "Étienne", "Sophie", "Lucas", "Ava"],
    "GB": ["Oliver", "Amelia", "Harry", "Isla", "George", "Priya", "Jack", "Siobhan"],
    "DE": ["Lukas", "Anna", "Jürgen", "Lea", "Maximilian", "Sophie", "Björn", "Mia"],
    "FR": ["Hugo", "Léa", "Louis", "Manon", "Gabriel", "Camille", "Théo", "Inès"],
    "AU": ["Jack", "Charlotte", "William", "Matilda", "Thomas", "Ruby", "Cooper", "Zoe"],
    "NL": ["Daan", "Emma", "Sem", "Julia", "Bram", "Tess", "Jesse", "Sanne"],
}
LAST = {
    "US": [
        "Smith",
        "Johnson",
        "Garcia",
        "Brown",
        "Nguyen",
        "Williams",
        "O'Connor",
        "Patel",
        "Rodriguez",
        "Kim",
        "Washington",
        "Miller",
    ],
    "CA": ["Tremblay", "Roy", "Gagnon", "MacDonald", "Wilson", "Côté", "Martin", "Lee"],
    "GB": ["Taylor", "Davies", "Evans", "Thomas", "Roberts", "Khan", "Wright", "Walker"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer"],
    "FR": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Lefèvre"],
    "AU": ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly"],
    "NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"],
}
ALL_FIRST = [name for names in FIRST.values() for name in names]
ALL_LAST = [name for names in LAST.values() for name in names]
COMPANY_WORDS = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Blue Harbor",
    "Redwood",
    "Summit",
    "Keystone",
    "Lumen",
    "Vertex",
    "Polaris",
    "Meridian",
    "Cobalt",
    "Evergreen",
    "Ironbridge",
    "Silverline",
    "Brightwater",
]
COMPANY_ENDS = {
    "US": ["Inc", "LLC", "Corp", "Group"],
    "CA": ["Inc", "Ltd", "Corp"],
    "GB": ["Ltd", "plc", "Group"],
    "DE": ["GmbH", "AG"],
    "FR": ["SA", "SAS"],
    "AU": ["Pty Ltd", "Ltd"],
    "NL": ["B.V.", "N.V."],
}
TITLES = [
    "CEO",
    "CFO",
    "CTO",
    "VP Sales",
    "VP of Operations",
    "Director of IT",
    "Head of Procurement",
    "IT Manager",
    "Operations Manager",
    "Office Manager",
    "Software Engineer",
    "Marketing Coordinator",
    "Purchasing Agent",
    "Owner",
    "Founder",
    "Sales Manager",
    "Analyst",
    "",
]
INDUSTRIES = [
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Logistics",
    "Financial Services",
    "Software",
    "Education",
    "Construction",
    "Hospitality",
    "",
]
SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1000+", "5000", "", "250"]
SOURCES = ["Trade show", "Webinar", "Whitepaper", "Purchased list", "Website form"]
CAMPAIGNS = ["Spring Expo 2026", "Cloud Cost Webinar", "Buyer's Guide Q3", "Fall Outreach"]
COUNTRY_WRITTEN = {
    "US": ["US", "USA", "United States", ""],
    "CA": ["Canada", "CA"],
    "GB": ["UK", "United Kingdom", "GB"],
    "DE": ["Germany", "DE", "Deutschland"],
    "FR": ["France", "FR"],
    "AU": ["Australia", "AU"],
    "NL": ["Netherlands", "NL"],
}
WEIGHTS = {"US": 50, "CA": 12, "GB": 14, "DE": 9, "FR": 6, "AU": 5, "NL": 4}
US_AREAS = [
    "212",
    "305",
    "312",
    "415",
    "512",
    "617",
    "702",
    "713",
    "813",
    "206",
    "404",
    "602",
    "808",
    "907",
    "303",
    "954",
]
CA_AREAS = ["416", "514", "604", "403", "613", "902"]
NOTES = [
    "",
    "",
    "",
    "Asked about pricing",
    "Visited booth twice",
    "Wants a demo in Q1",
    "Current vendor contract ends in March",
    "Met at keynote;\nfollow up re: pilot",
]


def _national(rng: random.Random, country: str) -> phonenumbers.PhoneNumber:
    for _ in range(200):
        if country == "US":
            text = f"+1{rng.choice(US_AREAS)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        elif country == "CA":
            text = f"+1{rng.choice(CA_AREAS)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        elif country == "GB":
            text = f"+44{rng.choice(['20', '161', '131', '117'])}{rng.randint(3000000, 8999999)}"
        elif country == "DE":
            text = f"+49{rng.choice(['30', '40', '89', '221'])}{rng.randint(1000000, 9999999)}"
        elif country == "FR":
            text = f"+33{rng.choice(['1', '4', '6'])}{rng.randint(10000000, 99999999)}"
        elif country == "AU":
            text = f"+61{rng.choice(['2', '3', '7'])}{rng.randint(50000000, 99999999)}"
        else:
            text = f"+31{rng.choice(['20', '10', '30'])}{rng.randint(1000000, 9999999)}"
        number = phonenumbers.parse(text)
        if phonenumbers.is_valid_number(number):
            return number
    raise RuntimeError(f"no valid number for {country}")


def _written(rng: random.Random, number: phonenumbers.PhoneNumber, country: str) -> str:
    """The number as people type it: national or international, in many styles."""
    fmt = phonenumbers.PhoneNumberFormat
    style = rng.random()
    if style < 0.35:
        text = phonenumbers.format_number(number, fmt.NATIONAL)
    elif style < 0.6:
        text = phonenumbers.format_number(number, fmt.INTERNATIONAL)
    elif style < 0.75:
        text = phonenumbers.format_number(number, fmt.E164)
    elif style < 0.85 and country in ("US", "CA"):
        digits = str(number.national_number)
        text = f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"
    elif style < 0.92 and country in ("US", "CA"):
        digits = str(number.national_number)
        text = f"1-{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    else:
        text = phonenumbers.format_number(number, fmt.INTERNATIONAL).replace("+", "00", 1)
    if rng.random() < 0.05:
        text += rng.choice([" x", " ext. ", " #"]) + str(rng.randint(10, 4999))
    return text


def messy_leads(count: int, seed: int = 1, bad_share: float = 0.05) -> Iterator[list[str]]:
    """Rows in HEADER's order: mostly good, some duplicates, some broken as in real files."""
    rng = random.Random(seed)
    countries = list(WEIGHTS)
    weights = list(WEIGHTS.values())
    made: list[list[str]] = []
    for index in range(count):
        roll = rng.random()
        if made and roll < 0.03:
            twin = list(rng.choice(made))
            if rng.random() < 0.5:
                twin[3] = twin[3].upper()
            else:
                twin[3] = ""
            yield twin
            continue
        if made and roll < 0.04:
            # A colleague at the same company, reached through the same switchboard.
            colleague = list(rng.choice(made))
            first, last = rng.choice(ALL_FIRST), rng.choice(ALL_LAST)
            colleague[0] = f"{first} {last}"
            colleague[2] = rng.choice(TITLES)
            colleague[3] = ""
            made.append(colleague)
            yield colleague
            continue
        country = rng.choices(countries, weights)[0]
        first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
        company = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_ENDS[country])}"
        domain = company.split()[0].lower() + ".example"
        number = _national(rng, country)
        row = [
            f"{first} {last}" if rng.random() > 0.1 else f"  {first}   {last} ",
            company,
            rng.choice(TITLES),
            f"{first[0]}.{last}{index}@{domain}".replace(" ", "").replace("'", "").lower()
            if rng.random() > 0.08
            else "",
            _written(rng, number, country),
            rng.choice(COUNTRY_WRITTEN[country]),
            rng.choice(SOURCES),
            rng.choice(CAMPAIGNS),
            rng.choice(INDUSTRIES),
            rng.choice(SIZES),
            rng.choice(NOTES),
            rng.choice(["", "", "Booth 14", "Booth 7"]),
        ]
        if roll > 1 - bad_share:
            row = _break(rng, row)
        made.append(row)
        yield row


def _break(rng: random.Random, row: list[str]) -> list[str]:
    """Damage a row the way spreadsheets and people do."""
    damage = rng.randrange(7)
    if damage == 0:
        row[4] = ""
    elif damage == 1:
        digits = "".join(ch for ch in row[4] if ch.isdigit()).lstrip("0")[-10:]
        row[4] = f"{digits[0]}.{digits[1:6]}E+{len(digits) - 1:02d}"
    elif damage == 2:
        row[4] = "".join(ch for ch in row[4] if ch.isdigit())[-10:] + ".0"
    elif damage == 3:
        row[4] = "555-12"
    elif damage == 4:
        row[0] = row[1] = ""
    elif damage == 5:
        row = row[:7]
    else:
        row[0] = row[0] + "\x07"
    return row


def write_file(
    path: Path, count: int, seed: int = 1, raw_lines: dict[int, str] | None = None
) -> None:
    """Write a messy lead file with HEADER and `count` rows.

    raw_lines puts literal text (such as a row with a broken quote) before
    the row with that index.
    """
    raw_lines = raw_lines or {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index, row in enumerate(messy_leads(count, seed)):
            if index in raw_lines:
                handle.write(raw_lines[index])
            writer.writerow(row)


def main() -> None:
    target = Path(__file__).parents[1] / "data" / "sample_leads.csv"
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    # One unterminated quote, as a hand-edited export has; the rows after it still import.
    broken = 'Pat Quinn,"Quinn & Sons,Owner,pat@quinn.example,+1 617 555 0188,US\r\n'
    write_file(target, count, seed=2026, raw_lines={count - 5: broken})
    print(f"wrote {count} rows to {target}")


if __name__ == "__main__":
    main()
