"""Read a DfE Common Transfer File (CTF) safely: defusedxml only, a size limit, and
no entity expansion, so a hostile file ("billion laughs") is refused whole.

    header, pupils = read_ctf(data)

No Django here; the children app turns the pupils into records.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from harmonia.interop.pupils import Contact, FileRefused, Pupil, gettext_noop

MAX_BYTES = 20 * 1024 * 1024  # a large secondary's full CTF is a few megabytes


@dataclass
class Header:
    document_name: str = ""
    version: str = ""
    qualifier: str = ""
    source_urn: str = ""
    source_name: str = ""
    source_lea: str = ""
    source_estab: str = ""
    academic_year: str = ""
    date_time: str = ""  # when the sending system wrote the file
    supplier: str = ""  # the sending system (SupplierID)


def _text(node: Element | None, path: str) -> str:
    if node is None:
        return ""
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


ADDRESS_SKIP = {"UniquePropertyReferenceNumber", "UPRN", "Easting", "Northing", "Country"}


def _address(node: Element | None) -> str:
    """An <Address> (BS7666 or address lines, and the postcode) on one line."""
    if node is None:
        return ""
    parts = [
        (leaf.text or "").strip()
        for leaf in node.iter()
        if len(leaf) == 0 and leaf.tag not in ADDRESS_SKIP and (leaf.text or "").strip()
    ]
    return ", ".join(parts)


def _contact(node: Element, pupil_address: str = "") -> Contact:
    phone = ""
    for ph in node.findall("Phones/Phone"):
        phone = _text(ph, "PhoneNo") or phone
        if phone:
            break
    order = _text(node, "Order")
    return Contact(
        surname=_text(node, "Surname"),
        forename=_text(node, "Forename"),
        relationship=_text(node, "Relationship"),
        responsible=_text(node, "Responsible").lower() in {"true", "1", "yes"},
        email=_text(node, "Email/EmailAddress"),
        phone=phone,
        order=int(order) if order.isdigit() else 1,
        address=pupil_address
        if _text(node, "AddressAsPupil").lower() in {"true", "1", "yes"}
        else _address(node.find("Address")),
    )


def _pupil(node: Element, row: int) -> Pupil:
    basic = node.find("BasicDetails")
    sen = [
        (_text(s, "StartDate"), _text(s, "SENprovision")) for s in node.findall("SENhistory/SEN")
    ]
    sen.sort()
    return Pupil(
        row=row,
        upn=_text(node, "UPN"),
        surname=_text(node, "Surname"),
        forename=_text(node, "Forename"),
        preferred_forename=_text(basic, "PreferredForename"),
        dob=_text(node, "DOB"),
        sex=_text(node, "Sex") or _text(node, "Gender"),
        year_group=_text(basic, "NCyearActual"),
        ethnicity=_text(basic, "Ethnicity"),
        first_language=_text(basic, "Languages/Type/Language")
        or _text(basic, "Languages/Type/LanguageType"),
        sen_provision=sen[-1][1] if sen else "",
        fsm=[
            (_text(f, "FSMstartDate"), _text(f, "FSMendDate"))
            for f in node.findall("FSMhistory/FSMinstance")
        ],
        looked_after=_text(node, "LookedAfter/InCare").lower() in {"true", "1", "yes"},
        contacts=sorted(
            (_contact(c, _address(node.find("Address"))) for c in node.findall("Contacts/Contact")),
            key=lambda c: c.order,
        ),
    )


def read_ctf(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[Header, list[Pupil]]:
    """The header and pupils of a CTF, or :class:`FileRefused` with the reason."""
    if len(data) > max_bytes:
        raise FileRefused(
            gettext_noop("The file is %(size)s KB; the limit is %(limit)s KB."),
            size=len(data) // 1024,
            limit=max_bytes // 1024,
        )
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise FileRefused(
            gettext_noop(
                "The file declares a DTD or entities, which a Common Transfer File never "
                "does; it was refused for safety."
            )
        ) from None
    except ParseError as exc:
        raise FileRefused(
            gettext_noop("The file is not well-formed XML (%(why)s)."), why=exc
        ) from None
    if root.tag != "CTfile":
        raise FileRefused(
            gettext_noop("This is not a Common Transfer File (its root is <%(root)s>)."),
            root=root.tag,
        )
    head = root.find("Header")
    source = head.find("SourceSchool") if head is not None else None
    header = Header(
        document_name=_text(head, "DocumentName"),
        version=_text(head, "CTFversion"),
        qualifier=_text(head, "DocumentQualifier"),
        source_urn=_text(source, "URN"),
        source_name=_text(source, "SchoolName"),
        source_lea=_text(source, "LEA"),
        source_estab=_text(source, "Estab"),
        academic_year=_text(source, "AcademicYear"),
        date_time=_text(head, "DateTime"),
        supplier=_text(head, "SupplierID"),
    )
    pupils = [_pupil(p, i) for i, p in enumerate(root.findall("CTFpupilData/Pupil"), start=1)]
    for p in pupils:
        p.school_urn = header.source_urn
    return header, pupils
