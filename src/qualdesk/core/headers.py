"""The header row of a lead file: which column holds which lead field.

Headers are matched ignoring case and punctuation, with the aliases
marketing's tools use. Columns qualdesk does not know are kept as extras.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter

from qualdesk.core.errors import FileRefused

DELIMITERS = (",", ";", "\t", "|")
# The two columns a rejects file adds; an import of a fixed rejects file ignores them.
REJECT_COLUMNS = ("Reject Line", "Reject Reason")

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "contactname", "contact", "leadname", "personname"),
    "first_name": ("firstname", "first", "givenname", "forename", "fname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname"),
    "company": (
        "company",
        "companyname",
        "organization",
        "organisation",
        "org",
        "account",
        "accountname",
        "employer",
        "business",
        "businessname",
    ),
    "title": ("title", "jobtitle", "position", "role", "designation", "jobrole"),
    "email": ("email", "emailaddress", "mail", "workemail", "businessemail", "emailid"),
    "phone": (
        "phone",
        "phonenumber",
        "telephone",
        "telephonenumber",
        "tel",
        "workphone",
        "businessphone",
        "directphone",
        "directdial",
        "officephone",
        "phoneno",
    ),
    "mobile": ("mobile", "mobilephone", "mobilenumber", "cell", "cellphone", "cellnumber"),
    "extension": ("extension", "ext", "phoneext", "phoneextension"),
    "country": ("country", "countrycode", "countryregion", "nation"),
    "source": ("source", "leadsource"),
    "campaign": ("campaign", "campaignname", "utmcampaign"),
    "industry": ("industry", "vertical", "sector"),
    "company_size": (
        "companysize",
        "employees",
        "numberofemployees",
        "employeecount",
        "headcount",
        "size",
    ),
    # When marketing's system created the lead: speed to lead runs from it.
    "created": (
        "createddate",  # Created Date; Salesforce's API name CreatedDate
        "createdate",  # Create Date; HubSpot's createdate
        "created",
        "createdat",
        "createdon",
        "datecreated",
        "creationdate",
        "leadcreateddate",
        "leadcreatedate",
    ),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in FIELD_ALIASES.items() for alias in aliases}
_IGNORED = {re.sub(r"[^a-z0-9]", "", c.lower()) for c in REJECT_COLUMNS}
# Fields where a NUL or control character, or more than 255 characters, refuses the row.
# The company size is read as a number for scoring: thousands of digits cannot be.
KEY_FIELDS = ("name", "first_name", "last_name", "company", "title", "email", "phone", "mobile",
              "company_size")  # fmt: skip
_NAME_FIELDS = {"name", "first_name", "last_name", "company"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def header_key(name: str) -> str:
    """A column name reduced to letters and digits, for matching aliases."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKC", name).casefold())


@dataclass(frozen=True)
class HeaderMap:
    """Which column holds which lead field, and which columns are extra.

    A field named by more than one column (Phone and Work Phone) takes the
    first of them that has a value in a row; the others are kept as extras.
    """

    columns: tuple[str, ...]
    fields: dict[str, int]
    extras: tuple[tuple[int, str], ...]
    ignored: tuple[int, ...] = ()
    alternates: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def unknown_columns(self) -> list[str]:
        return [name for _, name in self.extras]

    @cached_property
    def kept(self) -> tuple[int, ...]:
        """The columns a rejects file repeats: all but the ignored ones."""
        return tuple(i for i in range(self.width) if i not in self.ignored)

    @cached_property
    def order(self) -> tuple[int, ...]:
        """The column of each field in FIELD_ALIASES order, -1 where the file has none."""
        return tuple(self.fields.get(name, -1) for name in FIELD_ALIASES)

    @cached_property
    def pick(self) -> Callable[[list[str]], tuple[str, ...]]:
        """Take every field's value, in FIELD_ALIASES order, from a row's values.

        The row's values must end with an extra "" that column -1 reads.
        """
        return itemgetter(*self.order)

    @cached_property
    def key_columns(self) -> tuple[int, ...]:
        """Columns holding key fields, where control characters are refused."""
        primary = [i for name, i in self.fields.items() if name in KEY_FIELDS]
        others = [i for name, more in self.alternates.items() if name in KEY_FIELDS for i in more]
        return tuple(primary + others)


def map_header(columns: list[str]) -> HeaderMap:
    """Map a file's header row onto lead fields.

    Args:
        columns: the header row's cells.

    Returns:
        The mapping, with unknown columns kept as extras.

    Raises:
        FileRefused: control characters in the header (often a UTF-16 file
            without a byte-order mark), duplicate column names, nothing
            recognisable, or a required column (a phone; a name or a
            company) missing.
    """
    names = [c.strip().lstrip("\ufeff").strip() for c in columns]
    joined = "".join(names)
    if "\x00" in joined:
        raise FileRefused(
            "the header has NUL characters: is it UTF-16 without a byte-order mark? "
            "Save it as UTF-8 (or UTF-16 with a BOM)"
        )
    if _CONTROL.search(joined):
        raise FileRefused("the header has control characters; it is not a lead file's header")
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        folded = name.casefold()
        if folded and folded in seen:
            raise FileRefused(
                f"column {name!r} appears twice (columns {seen[folded] + 1} and {index + 1})"
            )
        seen[folded] = index
    fields: dict[str, int] = {}
    alternates: dict[str, list[int]] = {}
    extras: list[tuple[int, str]] = []
    ignored: list[int] = []
    labels = {name.casefold() for name in names if name}
    for index, name in enumerate(names):
        key = header_key(name)
        if key in _IGNORED:
            ignored.append(index)
            continue
        target = _ALIAS_TO_FIELD.get(key)
        if target is None:
            label = name or _unused(f"column {index + 1}", labels)
            extras.append((index, label))
        elif target in fields:
            alternates.setdefault(target, []).append(index)
        else:
            fields[target] = index
    if not fields:
        shown = ", ".join(repr(n) for n in names[:4])
        raise FileRefused(f"no recognisable header: the first line reads {shown}")
    if "phone" not in fields and "mobile" not in fields:
        raise FileRefused("lacks a phone column (looked for Phone, Phone Number, Mobile, Tel)")
    if not _NAME_FIELDS & fields.keys():
        raise FileRefused(
            "lacks a name or company column (looked for Name, First Name, Last Name, Company)"
        )
    return HeaderMap(
        tuple(names),
        fields,
        tuple(extras),
        tuple(ignored),
        {name: tuple(more) for name, more in alternates.items()},
    )


def _unused(label: str, taken: set[str]) -> str:
    """A label for a column without a name that no named column already uses."""
    candidate, suffix = label, 2
    while candidate.casefold() in taken:
        candidate, suffix = f"{label} ({suffix})", suffix + 1
    taken.add(candidate.casefold())
    return candidate


def is_lead_column(name: str) -> bool:
    """Whether a header cell names a lead field."""
    return header_key(name) in _ALIAS_TO_FIELD


def choose_delimiter(header_line: str, known_column: Callable[[str], bool] = is_lead_column) -> str:
    """The delimiter (, ; TAB |) that splits the header into the most known columns."""
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        known = sum(1 for cell in cells if known_column(cell))
        score = (known, len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best
