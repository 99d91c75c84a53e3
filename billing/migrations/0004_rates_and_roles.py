"""Seed the late-interest rates of rules.md §3 and give finance the money side."""

from datetime import date
from decimal import Decimal

from django.db import migrations

from portal.roles import COURSE_ADMINISTRATOR, EXAM_COMMITTEE, FINANCE, grant

RATES = [
    (date(2024, 1, 1), date(2024, 6, 30), Decimal("12.50")),
    (date(2024, 7, 1), date(2024, 12, 31), Decimal("12.50")),
    (date(2025, 1, 1), date(2025, 6, 30), Decimal("11.50")),
    (date(2025, 7, 1), date(2025, 12, 31), Decimal("10.50")),
    (date(2026, 1, 1), date(2026, 6, 30), Decimal("10.50")),
]


def seed_rates(apps, schema_editor):
    InterestRate = apps.get_model("billing", "InterestRate")
    for valid_from, valid_until, rate in RATES:
        InterestRate.objects.get_or_create(
            valid_from=valid_from,
            defaults={"valid_until": valid_until, "annual_rate_percent": rate},
        )


def all_of(app, *models):
    return [f"{app}.{action}_{model}" for model in models
            for action in ("add", "change", "delete", "view")]


def grant_permissions(apps, schema_editor):
    grant(
        apps,
        {
            FINANCE: [
                *all_of("billing", "payment", "kmoproject", "interestrate", "refund"),
                "billing.view_instalment", "billing.view_latepaymentstep",
                "billing.view_unpaidflag", "billing.change_unpaidflag",
                "billing.view_bankstatement", "billing.add_bankstatement",
                "billing.view_statementline", "billing.change_statementline",
                "billing.view_sepaexport", "billing.add_sepaexport",
                "billing.change_sepaexport",
                "courses.change_organizer",
            ],
            COURSE_ADMINISTRATOR: ["billing.view_unpaidflag", "billing.view_payment"],
            EXAM_COMMITTEE: ["billing.view_unpaidflag"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_payments_statements_dunning"),
        ("registrations", "0002_roles_and_schedule"),
    ]

    operations = [
        migrations.RunPython(seed_rates, migrations.RunPython.noop),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
    ]
