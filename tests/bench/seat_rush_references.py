"""The reference loops of the seat rush (tests/bench/bench_seat_rush.py): the bare "lock a row +
insert" transaction through the ORM and in raw SQL, and the checkout's shape with nothing in it,
on two scratch tables; and the checks of what they wrote."""

from tests.bench.run import BenchmarkFailed

_BENCH_MODELS = {}


def bench_models():
    """Two unmanaged models on the scratch tables, defined once the apps are loaded (the bare
    loop goes through the ORM like the checkout does)."""
    if not _BENCH_MODELS:
        from django.db import models

        class BenchLock(models.Model):  # noqa: DJ008 - scratch table
            n = models.BigIntegerField()

            class Meta:
                app_label = "registrations"
                db_table = "bench_lock"
                managed = False

        class BenchInsert(models.Model):  # noqa: DJ008 - scratch table
            id = models.BigAutoField(primary_key=True)
            n = models.BigIntegerField()
            created_at = models.DateTimeField(auto_now_add=True)

            class Meta:
                app_label = "registrations"
                db_table = "bench_insert"
                managed = False

        _BENCH_MODELS.update(lock=BenchLock, insert=BenchInsert)
    return _BENCH_MODELS["lock"], _BENCH_MODELS["insert"]


def bare_transaction(n: int) -> None:
    """The reference: lock a row and insert one, as the application would write it (Django ORM,
    `transaction.atomic`, `select_for_update().get()` and `objects.create()`)."""
    from django.db import transaction

    bench_lock, bench_insert = bench_models()
    with transaction.atomic():
        bench_lock.objects.select_for_update().get(pk=1)
        bench_insert.objects.create(n=n)


def bare_transaction_sql(n: int) -> None:
    """The same two statements as raw SQL on the same Django connection (no ORM): the floor of
    round trips, the lock queue and the COMMIT's WAL flush, reported for comparison."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT n FROM bench_lock WHERE id = 1 FOR UPDATE")
        cursor.execute("INSERT INTO bench_insert (n) VALUES (%s)", [n])


# The checkout's shape with nothing in it: as many statements, in the same transactions, with
# the same shared rows locked at the same points, each statement the cheapest there is.
SHAPE_ADD_BEFORE_LOCK, SHAPE_ADD_AFTER_LOCK = 2, 2  # add_to_cart: cart, lock, count, item
SHAPE_CHECKOUT_BEFORE_SERIES, SHAPE_CHECKOUT_UNDER_SERIES = 7, 6  # checkout: see its docstring
SHAPE_ROWS = SHAPE_ADD_BEFORE_LOCK + SHAPE_ADD_AFTER_LOCK - 1 + (
    SHAPE_CHECKOUT_BEFORE_SERIES + SHAPE_CHECKOUT_UNDER_SERIES)
SHAPE_STATEMENTS = (SHAPE_ADD_BEFORE_LOCK + 1 + SHAPE_ADD_AFTER_LOCK) + 1 + (
    SHAPE_CHECKOUT_BEFORE_SERIES + 1 + SHAPE_CHECKOUT_UNDER_SERIES + 1)


def checkout_shaped_sql(n: int) -> None:
    """What any add_to_cart + token read + checkout of the portal's shape costs at the least:
    the same 21 statements in the same two transactions, the same contended rows locked at the
    same points (the edition row in add_to_cart for its last two statements; the number series
    for the last eight of checkout, the edition row for its last one), every statement a
    trivial one on the scratch tables, written as raw SQL. Its ratio to the bare loop is the
    ceiling of the checkout's ratio on this machine, whatever the checkout's own code does."""
    from django.db import connection, transaction

    insert = "INSERT INTO bench_insert (n) VALUES (%s)"
    with transaction.atomic(), connection.cursor() as cursor:  # add_to_cart
        for _ in range(SHAPE_ADD_BEFORE_LOCK):
            cursor.execute(insert, [n])
        cursor.execute("SELECT n FROM bench_lock WHERE id = 1 FOR UPDATE")  # the edition
        cursor.execute("SELECT count(*) FROM bench_lock WHERE id = 1")
        for _ in range(SHAPE_ADD_AFTER_LOCK - 1):
            cursor.execute(insert, [n])
    with connection.cursor() as cursor:  # the checkout page reads the cart's token
        cursor.execute("SELECT n FROM bench_lock WHERE id = 1")
    with transaction.atomic(), connection.cursor() as cursor:  # checkout
        for _ in range(SHAPE_CHECKOUT_BEFORE_SERIES):
            cursor.execute(insert, [n])
        cursor.execute("UPDATE bench_lock SET n = n + 1 WHERE id = 2 RETURNING n")  # series
        for _ in range(SHAPE_CHECKOUT_UNDER_SERIES):
            cursor.execute(insert, [n])
        cursor.execute("UPDATE bench_lock SET n = n + 1 WHERE id = 1")  # the seat


def create_scratch_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_lock, bench_insert")
        cursor.execute("CREATE TABLE bench_lock (id integer PRIMARY KEY, n bigint NOT NULL)")
        cursor.execute("INSERT INTO bench_lock VALUES (1, 0), (2, 0)")
        cursor.execute(
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, n bigint NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )


def verify_bare(count: int, rows_each: int = 1) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT n) FROM bench_insert")
        rows, distinct = cursor.fetchone()
    if rows != count * rows_each or distinct != count:
        raise BenchmarkFailed(f"bare loop: {rows} rows ({distinct} distinct) of {count}")


def truncate_bare() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_insert")
