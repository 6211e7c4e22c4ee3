"""Expected answers for the URL × role matrix (tests/test_url_matrix.py).

Each module in this package exports ``CASES``: URL name → :class:`Case`. Every URL
pattern in the project must have a case, and every case must give an answer for
every persona, so a new view cannot escape the matrix. Add a module per app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"  # redirected to the sign-in page
OK = 200
REDIRECT = 302
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405  # a POST-only view asked with GET

ANONYMOUS = "anonymous"
PERSONAS = [
    ANONYMOUS,
    "programme_lead",
    "funder",
    "evaluator",
    "manager_a",
    "tutor_a",
    "safeguarding_a",
    "tutor_b",
    "outsider",
]


@dataclass
class Case:
    """How to reach one URL, and what each persona should get back."""

    expect: dict[str, int | str]
    kwargs: Callable = field(default=lambda world: {})
    query: str = ""


def answers(default, **overrides) -> dict[str, int | str]:
    """Every persona gets ``default`` unless named; anonymous is sent to sign in."""
    result = {persona: default for persona in PERSONAS}
    result[ANONYMOUS] = LOGIN
    result.update(overrides)
    return result


# Common shapes: who may see and who may change things in centre A (Liverpool).
SEE_PROGRAMME = answers(OK, outsider=NOT_FOUND)
MANAGE_PROGRAMME = answers(FORBIDDEN, programme_lead=OK, outsider=NOT_FOUND)
SEE_CENTRE_A = answers(OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND)
MANAGE_CENTRE_A = answers(
    FORBIDDEN, programme_lead=OK, manager_a=OK, tutor_b=NOT_FOUND, outsider=NOT_FOUND
)
POST_ONLY = answers(NOT_ALLOWED)
