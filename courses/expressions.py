"""A date minus a number of days, in SQL, on PostgreSQL and SQLite alike."""

from django.db import models


class DateMinusDays(models.Func):
    """`date - days` as a date. PostgreSQL subtracts an integer from a date natively; SQLite
    stores dates as ISO text and needs its date() modifier."""

    output_field = models.DateField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s || ' days')",
            arg_joiner=", '-' || ",
        )
