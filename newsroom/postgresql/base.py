"""PostgreSQL through psycopg, with a health check that costs no round trip.

Django's check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1`` before each request's first
query. Between requests an idle connection receives nothing unless the server is ending
it (a restart, an administrator, an idle timeout), when it writes a farewell and closes
the socket: so an idle connection whose socket has something to read, or is closed, is
dropped; the rare harmless message (a notice) costs one reconnection.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()  # inside a transaction only the server can tell
        # poll() takes any descriptor; select() fails on those from 1024 up.
        poll = select.poll()
        poll.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poll.poll(0)
