"""What the fuzz tests throw at the portal, and the budget they share.

Every test here states the same contract: whatever comes in, the code under test either accepts
it or refuses it with its documented error and a message a person can act on; it never raises
anything else (a server error) and never saves half of what it was given.

The budget keeps the whole folder well under 90 s on the 2-core CI machine: `FAST` for pure
functions, `SLOW` for anything that goes through the database or the test client.
"""

from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FAST = settings(max_examples=300, deadline=None, derandomize=True)
SLOW = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # CI must not find a new failure on an unrelated commit
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)

# Text a person (or a bot) can type or paste: every Unicode category, NUL and control
# characters, right-to-left marks, surrogates excluded (a browser cannot send them).
TYPED = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
NASTY = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\r\n", "'; DROP TABLE x; --", "<script>alert(1)</script>",
    "../../etc/passwd", "..\\..\\boot.ini", "\u202e", "\ufeff", "ＢＥ０４０３１７０７０１",
    "٠٤٠٣١٧٠٧٠١", "%s %(name)s {0}", "x" * 5000, "😀" * 50, "NaN", "-0", "1e309",
])
INPUT = st.one_of(TYPED, NASTY)


def samples_dir() -> Path:
    """tests/samples: real bank files (see its SOURCES.md)."""
    return Path(__file__).resolve().parents[1] / "samples"
