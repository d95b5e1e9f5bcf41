"""Phone numbers: normalise what marketing typed into E.164, with zones and jurisdiction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType

# phonenumbers' public calls each work out a number's region and type again
# (is_valid_number, region_code_for_number and time_zones_for_number cost three
# region scans and two type scans per number, most of an import's time). The
# helpers below do each once, using two of its internals; tests check the
# results against the public calls, so an upgrade that changes them fails there.
from phonenumbers.phonenumberutil import (
    COUNTRY_CODE_TO_REGION_CODE,
    _number_type_helper,
    is_number_type_geographical,
)
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from qualdesk.core.nanp_areas import AREA_SUBDIVISIONS

UNKNOWN_ZONE = "Etc/Unknown"
MAX_EXTENSION = 10
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_DOT_ZERO = re.compile(r"^\+?\d{5,}[.,]0+$")
_EXTENSION = re.compile(r"^\s*(?:x|ext\.?|extension|#)?\s*(\d{1,7})\s*$", re.IGNORECASE)

# Country names and abbreviations seen in marketing files, beyond ISO codes.
_COUNTRY_NAMES = {
    "usa": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "us": "US",
    "uk": "GB",
    "unitedkingdom": "GB",
    "greatbritain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northernireland": "GB",
    "canada": "CA",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "espana": "ES",
    "españa": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "thenetherlands": "NL",
    "holland": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "osterreich": "AT",
    "österreich": "AT",
    "ireland": "IE",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "poland": "PL",
    "portugal": "PT",
    "australia": "AU",
    "newzealand": "NZ",
    "india": "IN",
    "japan": "JP",
    "china": "CN",
    "singapore": "SG",
    "mexico": "MX",
    "méxico": "MX",
    "brazil": "BR",
    "brasil": "BR",
    "argentina": "AR",
    "southafrica": "ZA",
    "israel": "IL",
    "unitedarabemirates": "AE",
    "uae": "AE",
    "southkorea": "KR",
    "korea": "KR",
    "hongkong": "HK",
    "czechrepublic": "CZ",
    "czechia": "CZ",
    "greece": "GR",
    "turkey": "TR",
    "türkiye": "TR",
    "philippines": "PH",
}


# ISO 3166 alpha-3 codes CRMs export, for the countries leads most often come from.
_ALPHA3 = {
    "USA": "US", "CAN": "CA", "MEX": "MX", "GBR": "GB", "IRL": "IE", "DEU": "DE", "FRA": "FR",
    "ESP": "ES", "ITA": "IT", "PRT": "PT", "NLD": "NL", "BEL": "BE", "LUX": "LU", "CHE": "CH",
    "AUT": "AT", "SWE": "SE", "NOR": "NO", "DNK": "DK", "FIN": "FI", "ISL": "IS", "POL": "PL",
    "CZE": "CZ", "SVK": "SK", "HUN": "HU", "ROU": "RO", "BGR": "BG", "GRC": "GR", "TUR": "TR",
    "HRV": "HR", "SVN": "SI", "EST": "EE", "LVA": "LV", "LTU": "LT", "UKR": "UA", "ISR": "IL",
    "ARE": "AE", "SAU": "SA", "EGY": "EG", "ZAF": "ZA", "NGA": "NG", "KEN": "KE", "IND": "IN",
    "CHN": "CN", "HKG": "HK", "TWN": "TW", "JPN": "JP", "KOR": "KR", "SGP": "SG", "MYS": "MY",
    "THA": "TH", "IDN": "ID", "PHL": "PH", "VNM": "VN", "AUS": "AU", "NZL": "NZ", "BRA": "BR",
    "ARG": "AR", "CHL": "CL", "COL": "CO", "PER": "PE",
}  # fmt: skip


class PhoneProblem(ValueError):
    """A phone number that cannot be used, with the reason in words."""


@dataclass(frozen=True, slots=True)
class Phone:
    """A normalised phone number and where in the world it rings."""

    e164: str
    extension: str | None
    region: str
    jurisdiction: str
    time_zones: tuple[str, ...]


@lru_cache(maxsize=2048)
def region_for_country(text: str) -> str | None:
    """The phone region (ISO 3166 alpha-2) for a country as marketing wrote it, if known."""
    key = re.sub(r"[^\w]", "", text).casefold()
    if not key:
        return None
    if len(key) == 2 and key.upper() in phonenumbers.SUPPORTED_REGIONS:
        return key.upper()
    if len(key) == 3 and key.upper() in _ALPHA3:
        return _ALPHA3[key.upper()]
    if key.isdecimal():
        found = phonenumbers.region_code_for_country_code(int(key)) if len(key) <= 3 else None
        return found if found in phonenumbers.SUPPORTED_REGIONS else None
    return _COUNTRY_NAMES.get(key)


def check_region(text: str) -> str:
    """A phone region code as typed (us, GB), checked and upper-cased.

    Raises:
        PhoneProblem: not a region phonenumbers knows.
    """
    code = text.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise PhoneProblem(f"unknown region code {text.strip()!r} (use e.g. US, GB, DE)")
    return code


def spreadsheet_damage(raw: str) -> str | None:
    """Why a phone looks mangled by a spreadsheet (4.15555E+09, 4155552671.0), if it does."""
    if "." not in raw and "," not in raw and "e" not in raw and "E" not in raw:
        return None
    text = raw.strip().replace(" ", "")
    if _SCIENTIFIC.match(text):
        return f"phone {raw.strip()!r} was turned into scientific notation by a spreadsheet"
    if _DOT_ZERO.match(text):
        return f"phone {raw.strip()!r} was turned into a decimal number by a spreadsheet"
    return None


def normalise_phone(raw: str, region: str, extension: str | None = None) -> Phone:
    """Normalise a phone number to E.164.

    Args:
        raw: the number as typed, with or without +country code or extension.
        region: ISO region to read a number without +country code in.
        extension: an extension from a separate column, if any.

    Returns:
        The number in E.164 with its extension, region, jurisdiction
        (country, or US/Canadian state or province) and candidate time zones.

    Raises:
        PhoneProblem: the number is missing, mangled or not valid.
    """
    text = raw.strip()
    if not text:
        raise PhoneProblem("no phone number")
    damage = spreadsheet_damage(text)
    if damage:
        raise PhoneProblem(damage)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise PhoneProblem(f"phone {raw.strip()!r} is not a phone number") from None
    national = phonenumbers.national_significant_number(number)
    number_region, kind = _region_and_kind(number, national)
    if kind == PhoneNumberType.UNKNOWN or number_region is None:
        where = "" if text.startswith("+") else f" in region {region}"
        raise PhoneProblem(f"phone {raw.strip()!r} is not a valid number{where}")
    ext = number.extension or None
    if ext and len(ext) > MAX_EXTENSION:
        raise PhoneProblem(f"extension {ext!r} is too long ({MAX_EXTENSION} digits at most)")
    if extension and extension.strip():
        match = _EXTENSION.match(extension)
        if not match:
            raise PhoneProblem(f"extension {extension.strip()!r} is not a number")
        ext = match.group(1)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Phone(
        e164=e164,
        extension=ext,
        region=number_region,
        jurisdiction=_jurisdiction(e164, number_region),
        time_zones=_zones(number, e164, kind),
    )


PhoneInput = tuple[str, str, "str | None"]
# (E.164, extension, region, jurisdiction, time zones joined by spaces)
PhoneRow = tuple[str, "str | None", str, str, str]


def normalise_many(items: list[PhoneInput]) -> list[PhoneRow | str]:
    """normalise_phone for many (raw, region, extension): a PhoneRow, or the problem.

    Plain tuples in and out, cheap to pass to and from a helper process.
    """
    results: list[PhoneRow | str] = []
    for raw, region, extension in items:
        try:
            phone = normalise_phone(raw, region, extension)
        except PhoneProblem as exc:
            results.append(str(exc))
            continue
        zones = " ".join(phone.time_zones)
        results.append((phone.e164, phone.extension, phone.region, phone.jurisdiction, zones))
    return results


def international(e164: str, extension: str | None = None) -> str:
    """A number in international format for people to read and dial."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    shown = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return f"{shown} ext. {extension}" if extension else shown


def _jurisdiction(e164: str, region: str) -> str:
    if e164.startswith("+1") and region in ("US", "CA"):
        return AREA_SUBDIVISIONS.get(e164[2:5], region)
    return region


# NANP area code -> region: each area code belongs to exactly one region.
_NANP_REGIONS: dict[str, str] = {}


def _region_and_kind(number: phonenumbers.PhoneNumber, national: str) -> tuple[str | None, int]:
    """phonenumbers' region_code_for_number and number_type in one pass (UNKNOWN: invalid).

    Where a calling code is shared (+1, +44, +61, ...) phonenumbers finds the
    region by typing the number against each region in turn; the type found
    there is the number's type, so it is kept rather than worked out again.
    """
    code = number.country_code or 0
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions:
        return None, PhoneNumberType.UNKNOWN
    known = regions[0] if len(regions) == 1 else None
    if code == 1:
        known = _NANP_REGIONS.get(national[:3])
    if known is not None:
        return known, _kind_in(code, known, national)
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if re.match(metadata.leading_digits, national):
                kind = _kind_in(code, region, national)
                break
        else:
            kind = int(_number_type_helper(national, metadata))
            if kind != PhoneNumberType.UNKNOWN:
                break
    else:
        return None, PhoneNumberType.UNKNOWN
    if code == 1 and kind != PhoneNumberType.UNKNOWN:
        _NANP_REGIONS[national[:3]] = region
    return region, kind


def _kind_in(code: int, region: str, national: str) -> int:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region)
    if metadata is None:
        return PhoneNumberType.UNKNOWN
    return int(_number_type_helper(national, metadata))


def _zones(number: phonenumbers.PhoneNumber, e164: str, kind: int) -> tuple[str, ...]:
    """phonenumbers.timezone.time_zones_for_number, with the type already known."""
    if is_number_type_geographical(kind, number.country_code or 0):
        return _zones_for_digits(e164[1 : TIMEZONE_LONGEST_PREFIX + 1])
    return _zones_for_digits(str(number.country_code))


def _zones_for_digits(digits: str) -> tuple[str, ...]:
    """The zones of the longest prefix of these digits that phonenumbers has zones for.

    This is the look-up phonenumbers' time-zone functions make, on a string
    already at hand instead of a number formatted again.
    """
    for length in range(len(digits), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:length])
        if zones:
            return tuple(z for z in zones if z != UNKNOWN_ZONE)
    return ()
