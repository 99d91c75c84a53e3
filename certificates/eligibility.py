"""When a certificate is due (rules.md §7; seed 2, art. 8-9). Pure functions over plain values.

- Registration certificate: every confirmed registration (rules.md §1, §7).
- Participation certificate: short courses; the participant was present at least at the edition's
  threshold percentage of its sessions (rules.md §7). Compared in integers, so exactly at the
  threshold counts and there is no rounding at the boundary.
- Getuigschrift: a passed postgraduate or micro-credential programme (seed 2, art. 9.1), with the
  weighted percentage and grade of merit where the programme uses them (art. 9.4).
- Credit certificate: for micro-credentials, one per passed course unit (rules.md §7).
"""

SHORT = "short"
POSTGRADUATE = "postgraduate"
MICROCREDENTIAL = "microcredential"

REGISTRATION = "registration"
PARTICIPATION = "participation"
PROGRAMME = "programme"
CREDIT = "credit"


def kinds_for(course_kind: str) -> tuple[str, ...]:
    """The kinds of certificate a course of `course_kind` can lead to (rules.md §7)."""
    if course_kind == SHORT:
        return (REGISTRATION, PARTICIPATION)
    if course_kind == POSTGRADUATE:
        return (REGISTRATION, PROGRAMME)
    if course_kind == MICROCREDENTIAL:
        return (REGISTRATION, PROGRAMME, CREDIT)
    return (REGISTRATION,)


def attendance_met(present: int, total: int, threshold_percent: int) -> bool:
    """Whether `present` of the edition's `total` sessions reach `threshold_percent` (rules.md
    §7: participation certificate). An edition without sessions never qualifies automatically."""
    if total <= 0 or present < 0:
        return False
    return present * 100 >= threshold_percent * total
