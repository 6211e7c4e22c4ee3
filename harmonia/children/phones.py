"""Phone numbers in one form (E.164) before any comparison, so ``07700917058`` and
``07700 917058`` are the same number, and ``0412-5550012`` is read as Venezuelan at
a Venezuelan centre. The region is the programme's country (GB, VE, …).

A number is accepted when it is *possible* for its region (right length and shape):
Ofcom's drama ranges, used by demos and tests, are possible but never assigned, and a
newly opened range must not be refused by an out-of-date table.
"""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, region: str) -> str:
    """The E.164 form of ``raw`` ("" for a blank), or :class:`InvalidPhone`."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, (region or "GB").upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_or_blank(raw: str, region: str) -> str:
    """For comparisons and stored keys: an unreadable number matches nothing."""
    try:
        return to_e164(raw, region)
    except InvalidPhone:
        return ""
