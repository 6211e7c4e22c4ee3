"""Roles are named in one place. Outside the modules listed here, code asks
``harmonia.access`` a question (a capability, a named predicate) and never names a
role or reads the role table itself, so changing what a role may do is one edit."""

import re
from pathlib import Path

import harmonia

ROOT = Path(harmonia.__file__).parent

# Where roles may be named, and why:
ALLOWED = {
    "access.py",  # the policy: roles → capabilities, and the named predicates
    "accounts/models.py",  # where Role is defined (and the membership that holds one)
}
ALLOWED_DIRS = (
    "demo/",  # the demo loaders give the demo personas their roles
    "migrations/",  # frozen history
)
# tests/ may name roles too: personas are set up with them.

PATTERN = re.compile(
    r"\bRole\.|\bROLE_CAPABILITIES\b|\bCENTRE_ROLES\b|\bPROGRAMME_ROLES\b"
    r"|\bimport\b[^\n]*\bRole\b"
    r"|[\"'](programme_lead|funder_viewer|centre_manager|safeguarding_lead)[\"']"
)


def offenders(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt"} or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if rel in ALLOWED or any(part in rel for part in ALLOWED_DIRS):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PATTERN.search(line):
                found.append(f"harmonia/{rel}:{n}: {line.strip()}")
    return found


def test_roles_are_named_only_in_the_access_policy():
    found = offenders()
    assert not found, "Name a predicate in harmonia/access.py instead:\n" + "\n".join(found)


def test_the_check_catches_a_role_literal(tmp_path):
    (tmp_path / "views.py").write_text(
        'if membership.role == "programme_lead":\n    pass\n', encoding="utf-8"
    )
    (tmp_path / "forms.py").write_text("caps = ROLE_CAPABILITIES[m.role]\n", encoding="utf-8")
    (tmp_path / "fine.py").write_text("if access.sees_small_numbers(u, p):\n", encoding="utf-8")
    assert [line.split(":")[0] for line in offenders(tmp_path)] == [
        "harmonia/forms.py",
        "harmonia/views.py",
    ]
