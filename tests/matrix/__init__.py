"""Expected answers for the URL × role matrix (tests/test_url_matrix.py).

Each module in this package exports ``CASES``: URL name → :class:`Case`. Every URL
pattern in the project must have a case, and every case must give an answer for
every persona, so a new view cannot escape the matrix. Add a module per app.

Each case is checked twice: a GET, and a POST (with ``data``, rolled back). The
POST answer defaults to the GET answer ("same as GET"), which is right for a form
view posted without valid data (allowed roles see the form again, 200) and for a
page that ignores the method. Give ``post=`` when it differs: a POST-only view
(``writes(SHAPE)``: allowed roles are redirected after the write), a form posted
with realistic ``data`` (``writes(SHAPE)`` again), or a GET-only view (405). For
every persona whose POST answer is not 200 or 302, the test checks that no row
anywhere was added or removed.
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
    post: dict[str, int | str] | None = None  # None: the same answers as GET
    data: Callable = field(default=lambda world: {})  # the form a POST sends
    content_type: str | None = None  # e.g. "application/json": ``data`` is sent as JSON

    @property
    def post_expect(self) -> dict[str, int | str]:
        return self.expect if self.post is None else self.post


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
GET_ONLY = NOT_ALLOWED  # the POST answer of a view that only reads


def writes(shape: dict[str, int | str], done: int = REDIRECT) -> dict[str, int | str]:
    """The POST answers of a write: whoever may (200 in ``shape``) gets ``done``
    (redirected after the write, by default); everyone else as in ``shape``."""
    return {p: (done if answer == OK else answer) for p, answer in shape.items()}
