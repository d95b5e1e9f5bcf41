"""Phone normalisation: E.164, extensions, zones, jurisdictions, spreadsheet damage."""

from __future__ import annotations

import phonenumbers
import pytest
from phonenumbers import timezone

from qualdesk.core.phones import (
    PhoneProblem,
    international,
    normalise_phone,
    region_for_country,
    spreadsheet_damage,
)


@pytest.mark.parametrize(
    ("raw", "region", "e164", "ext", "jurisdiction"),
    [
        ("(305) 555-1234", "US", "+13055551234", None, "US-FL"),
        ("305.555.1234", "US", "+13055551234", None, "US-FL"),
        ("1-305-555-1234", "US", "+13055551234", None, "US-FL"),
        ("+1 416 555 1234", "GB", "+14165551234", None, "CA-ON"),
        ("020 7946 0958", "GB", "+442079460958", None, "GB"),
        ("+44 (0)20 7946 0958", "US", "+442079460958", None, "GB"),
        ("0049 30 1234567", "US", "+49301234567", None, "DE"),
        ("(415) 555-2671 ext. 123", "US", "+14155552671", "123", "US-CA"),
        ("415-555-2671 x45", "US", "+14155552671", "45", "US-CA"),
    ],
)
def test_numbers_as_people_type_them_become_e164(
    raw: str, region: str, e164: str, ext: str | None, jurisdiction: str
) -> None:
    phone = normalise_phone(raw, region)
    assert (phone.e164, phone.extension, phone.jurisdiction) == (e164, ext, jurisdiction)


def test_an_extension_column_wins_over_none() -> None:
    assert normalise_phone("212 555 0100", "US", "x 77").extension == "77"
    with pytest.raises(PhoneProblem, match="extension"):
        normalise_phone("212 555 0100", "US", "reception")


def test_time_zones_are_the_candidates_phonenumbers_knows() -> None:
    assert normalise_phone("+1 305 555 1234", "US").time_zones == ("America/New_York",)
    toll_free = normalise_phone("+1 800 555 1234", "US").time_zones
    assert len(toll_free) > 5 and "America/Los_Angeles" in toll_free


@pytest.mark.parametrize("raw", ["4.15555E+09", "4,15555E+09", "4155552671.0", "4.155552671e9"])
def test_spreadsheet_damage_is_caught(raw: str) -> None:
    assert spreadsheet_damage(raw)
    with pytest.raises(PhoneProblem, match="spreadsheet"):
        normalise_phone(raw, "US")


@pytest.mark.parametrize(
    ("raw", "words"), [("", "no phone"), ("555-1234", "not a valid"), ("call me", "not a phone")]
)
def test_bad_numbers_say_why(raw: str, words: str) -> None:
    with pytest.raises(PhoneProblem, match=words):
        normalise_phone(raw, "US")


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("US", "US"),
        ("usa", "US"),
        ("U.S.A.", "US"),
        ("United Kingdom", "GB"),
        ("uk", "GB"),
        ("Deutschland", "DE"),
        ("de", "DE"),
        ("44", "GB"),
        ("Narnia", None),
        ("", None),
    ],
)
def test_countries_as_marketing_writes_them(text: str, region: str | None) -> None:
    assert region_for_country(text) == region


def test_international_format_for_people() -> None:
    assert international("+442079460958") == "+44 20 7946 0958"
    assert international("+14155552671", "12") == "+1 415-555-2671 ext. 12"


def _corpus() -> list[phonenumbers.PhoneNumber]:
    """Example numbers of every type in every region, plus near misses of each."""
    numbers = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                numbers.append(example)
                broken = phonenumbers.PhoneNumber(
                    country_code=example.country_code,
                    national_number=example.national_number // 10,
                )
                numbers.append(broken)
    for area in ("212", "416", "787", "876", "800", "242", "340", "671", "999"):
        numbers.append(phonenumbers.parse(f"+1{area}5550123"))
    return numbers


def test_normalising_agrees_with_phonenumbers_public_calls() -> None:
    """The shortcuts in qualdesk.core.phones give exactly what the public API gives."""
    for example in _corpus():
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        number = phonenumbers.parse(e164)
        valid = phonenumbers.is_valid_number(number)
        try:
            phone = normalise_phone(e164, "US")
        except PhoneProblem:
            assert not valid, e164
            continue
        assert valid, e164
        assert phone.region == phonenumbers.region_code_for_number(number), e164
        zones = tuple(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
        assert phone.time_zones == zones, e164


def test_a_country_of_digits_int_cannot_read_is_unknown() -> None:
    from qualdesk.core.phones import region_for_country

    assert region_for_country("²") is None
    assert region_for_country("44") == "GB"
