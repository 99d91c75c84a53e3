"""Is an e-mail address a work or university address?

Seed 1, FAQ "How do I register for a course?", step 1: the profile is "for life".
"""

from collections.abc import Iterable


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def is_work_address(email: str, work_domains: Iterable[str]) -> bool:
    """True when the address's domain is one of `work_domains` or a subdomain of one.

    Seed 1 (FAQ "How do I register for a course?", step 1): the profile is meant for life, so a work
    address only earns a warning; it never blocks the sign-up.
    """
    if "@" not in email:
        return False
    domain = email_domain(email)
    for work_domain in work_domains:
        work_domain = work_domain.strip().lower().rstrip(".")
        if work_domain and (domain == work_domain or domain.endswith("." + work_domain)):
            return True
    return False
