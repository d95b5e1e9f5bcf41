"""People's names as CRMs want them: a full name split into a first and a last name.

Lead files often give one full name, and CRMs want two fields, the last one
required. The last word is the surname, with what belongs to it:

- the particles written before it, in any case ("Tess van den Berg" ->
  Tess / van den Berg, "Jean-Claude Van Damme" -> Jean-Claude / Van Damme);
- a connector and the word before it ("José Ortega y Gasset" -> José /
  Ortega y Gasset, "Karl-Theodor von und zu Guttenberg");
- generational and degree suffixes written after it ("Martin Luther King
  Jr." -> Martin Luther / King Jr.).

Everything before is the first name. The first word always stays there
("Van Morrison" -> Van / Morrison) unless it is a particle written in lower
case ("van Gogh" -> last name only). Leading honorifics are kept out of the
first name; the name as written keeps them. "Last, First" is read as such.
Without a particle two surnames cannot be told from a second given name, so
"María José García López" gives María José García / López.
"""

from __future__ import annotations

# Surname particles by language, compared case-insensitively ("de" serves several).
PARTICLES_BY_LANGUAGE = {
    "Dutch": "van de der den het 't ter ten",
    "German": "von vom zu zum zur der dem den",
    "French": "de du des la le",
    "Spanish": "de del la las los",
    "Portuguese": "da das de do dos",
    "Italian": "di da del dei degli della delle dello dal dalla lo la",
    "Arabic": "al el bin binti bint ibn",
    "Swedish": "af",
    "Saints": "st st. saint ste ste. sainte",
}
PARTICLES = frozenset(" ".join(PARTICLES_BY_LANGUAGE.values()).split())
# Particles only when written in lower case (Dutch "te", "op", "in"; Arabic and
# Hebrew "ben"): capitalised, they are usually given names or other words.
LOWER_CASE_PARTICLES = frozenset({"ben", "te", "op", "in"})
# Words joining two surnames (Spanish, Portuguese, Catalan, German), in lower case.
CONNECTORS = frozenset({"y", "e", "i", "und"})
# Kept with the last name, compared case-insensitively without a final dot.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "ph.d", "md", "m.d", "esq"})
# Dropped from the front of the first name, compared the same way.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof"})


def split_name(full: str) -> tuple[str, str]:
    """A full name as (first name, last name), whitespace collapsed.

    Args:
        full: the name as a lead file or a rep wrote it: "Tess van den
            Berg", "Dr. Ada Lovelace", "King, Martin Luther, Jr.".

    Returns:
        The first and last names. A single word is a last name with an
        empty first name (CRMs require a last name); an empty name gives
        two empty strings.
    """
    parts, suffixes = _parts(full)
    if len(parts) > 1:
        given = _without_honorifics([word for words in parts[1:] for word in words])
        while len(given) > 1 and _is_suffix(given[-1]):
            suffixes.insert(0, given.pop())
        return " ".join(given), " ".join(parts[0] + suffixes)
    words = _without_honorifics(parts[0]) if parts else []
    while len(words) > 1 and _is_suffix(words[-1]):
        suffixes.insert(0, words.pop())
    start = _surname_start(words)
    return " ".join(words[:start]), " ".join(words[start:] + suffixes)


def display_name(full: str) -> str:
    """The name in reading order: "Lovelace, Dr. Ada" -> "Dr. Ada Lovelace".

    A name with suffixes after a comma is kept as written ("Martin Luther
    King, Jr."); stray commas and runs of whitespace go.
    """
    parts, suffixes = _parts(full)
    if len(parts) > 1:
        return " ".join([word for words in parts[1:] for word in words] + parts[0] + suffixes)
    if suffixes:
        return " ".join(full.split())
    return " ".join(parts[0]) if parts else ""


def _parts(full: str) -> tuple[list[list[str]], list[str]]:
    """The words of each comma-separated part, and the suffixes given as parts of their own."""
    parts = [words for words in (part.split() for part in full.split(",")) if words]
    suffixes: list[str] = []
    while len(parts) > 1 and all(_is_suffix(word) for word in parts[-1]):
        suffixes[:0] = parts.pop()
    return parts, suffixes


def _surname_start(words: list[str]) -> int:
    """Where the last name begins: the final word and the particles before it."""
    if all(_is_particle(word) or _is_connector(word) for word in words):
        return 0
    start = len(words) - 1
    while start > 1:
        before = words[start - 1]
        if _is_particle(before):
            start -= 1
        elif _is_connector(before) and start > 2:
            start -= 2
        else:
            break
    if start == 1 and _is_particle(words[0]) and words[0].islower():
        return 0
    return start


def _is_particle(word: str) -> bool:
    key = word.casefold()
    return key in PARTICLES or (key in LOWER_CASE_PARTICLES and word == key)


def _is_connector(word: str) -> bool:
    return word in CONNECTORS


def _is_suffix(word: str) -> bool:
    return word.casefold().rstrip(".") in SUFFIXES


def _without_honorifics(words: list[str]) -> list[str]:
    """The words without leading honorifics, always leaving at least one."""
    start = 0
    while start < len(words) - 1 and words[start].casefold().rstrip(".") in HONORIFICS:
        start += 1
    return words[start:]
