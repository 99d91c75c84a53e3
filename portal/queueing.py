"""Queue a Celery task once the current transaction has committed, without ever failing the use
case: by then it has committed, so a broker outage (or, in the embedded default, an eager task
that raises or asks for a retry) is logged and left to the periodic job that covers it."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, **kwargs) -> None:
    def enqueue():
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception as error:  # noqa: BLE001 - see the module docstring
            logger.warning("Could not queue %s(%s): %s", task.name, kwargs, error)

    transaction.on_commit(enqueue)
