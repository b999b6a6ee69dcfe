"""Infrastructure tasks: what a worker can reach."""

import socket

from celery import shared_task

from config.health import check_services


@shared_task(name="config.worker_health")
def worker_health() -> dict:
    """Run in a worker: proves the broker delivers, and reports what the worker itself can reach."""
    return {"hostname": socket.gethostname(), "problems": check_services()}
