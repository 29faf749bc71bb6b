"""PostgreSQL through psycopg, with a health check that costs no round trip.

Django's check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1`` before each request's
first query: a third of an article page's trips to the database. Between requests
an idle connection receives nothing unless the server is ending it (a restart, an
administrator, an idle timeout), when it writes a farewell and closes the socket.
So a socket with something to read, or a closed one, is a connection to drop; the
rare harmless message (a notice) costs one reconnection.
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
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
        return not readable
