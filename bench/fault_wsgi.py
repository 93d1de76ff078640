"""The WSGI app with a fault switch, for the load benchmark only (never deployed).

A request with the header `X-Bench-Kill-At: N` makes its gunicorn worker SIGKILL itself just
before the N-th SQL statement that runs inside a transaction: the exact middle of a
submission, between inserting the response, its answers and deleting the draft, where a
crash would leave a half-stored response if the transaction did not hold. Every other request
answers with `X-Bench-Tx-Queries`, the number of such statements, so the harness knows the
range of kill points.
"""

from __future__ import annotations

import os
import signal

from django.db import connection

from leercultuur.wsgi import application as django_application


def application(environ, start_response):
    raw = environ.get("HTTP_X_BENCH_KILL_AT", "")
    kill_at = int(raw) if raw.isdigit() else 0
    in_transaction = 0

    def watch(execute, sql, params, many, context):
        nonlocal in_transaction
        if connection.in_atomic_block:
            in_transaction += 1
            if in_transaction == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        headers = [*headers, ("X-Bench-Tx-Queries", str(in_transaction))]
        return start_response(status, headers, exc_info)

    with connection.execute_wrapper(watch):
        return django_application(environ, start)
