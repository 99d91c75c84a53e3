"""Personal data (GDPR, seed 2 art. 14; rules.md §8): a participant's data export and erasure.

- `export.py`: everything the portal holds about one person, as a ZIP (JSON + PDFs + uploads).
- `erasure.py`: the request (by the participant) and the anonymisation (confirmed by staff).
"""

# The staff role that confirms erasure requests (created by portal/migrations/0005).
PRIVACY_OFFICER = "privacy officer"
