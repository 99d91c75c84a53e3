"""portal.joined_rows: one hand-written query gives the same instances as the ORM's
select_related, value for value and type for type."""

from decimal import Decimal

import pytest
from django.db import connection

from courses.models import Course, Edition, Organizer
from portal.joined_rows import Table, read, select_list
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db

TABLES = (Table(Edition, "e"), Table(Course, "c"), Table(Organizer, "o"))


def _joined(where="", params=()):
    quote = connection.ops.quote_name
    sql = f"""
        SELECT {select_list(TABLES)}, e.seats - e.seats_taken
          FROM {quote(Edition._meta.db_table)} e
          JOIN {quote(Course._meta.db_table)} c ON c.id = e.course_id
          JOIN {quote(Organizer._meta.db_table)} o ON o.id = c.organizer_id {where}
         ORDER BY e.id
    """  # noqa: S608 - table names from the models, values as parameters
    return read(sql, list(params), TABLES)


def _values(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_every_field_reads_as_the_orm_reads_it():
    EditionFactory(fee_amount=Decimal("199.99"), vat_treatment="taxed")
    EditionFactory(seats=0)
    rows = _joined()
    expected = list(Edition.objects.select_related("course__organizer").order_by("pk"))
    assert len(rows) == len(expected) == 2
    for ((edition, course, organizer), extra), orm in zip(rows, expected, strict=True):
        assert _values(edition) == _values(orm)
        assert _values(course) == _values(orm.course)
        assert _values(organizer) == _values(orm.course.organizer)
        for name, value in _values(edition).items():
            assert type(value) is type(getattr(orm, name)), name
        assert extra == (orm.seats - orm.seats_taken,)
        assert not edition._state.adding and edition._state.db == "default"


def test_no_rows_gives_an_empty_list():
    assert _joined("WHERE e.id = %s", [0]) == []


def test_the_select_list_has_every_concrete_column_in_field_order():
    columns = select_list((Table(Organizer, "o"),)).split(", ")
    assert columns == [f'o."{f.column}"' for f in Organizer._meta.concrete_fields]
