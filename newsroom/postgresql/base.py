"""PostgreSQL through psycopg: a health check that costs no round trip, a cursor for
the statements every page runs, which the server then plans once per connection, and
times read by ``fromisoformat``.

Django's check (``CONN_HEALTH_CHECKS``) sends ``SELECT 1`` before each request's
first query: a third of an article page's trips to the database. Between requests
an idle connection receives nothing unless the server is ending it (a restart, an
administrator, an idle timeout), when it writes a farewell and closes the socket.
So a socket with something to read, or a closed one, is a connection to drop; the
rare harmless message (a notice) costs one reconnection.

Planning the article page's statements was half of the server's work for the page.
``prepared_cursor`` binds parameters on the server and prepares each statement on
its first run, so later runs skip parsing and planning. It is only for statements
whose best plan does not depend on their parameters (a row by its id), not for a
search, whose plan depends on how common its words are. Everything else
goes through Django's own cursors, which never prepare.
"""

import datetime
import functools
import select

from django.db.backends.postgresql import base, operations, psycopg_any
from psycopg import adapt
from psycopg.pq import TransactionStatus


class TimeLoader(adapt.Loader):
    """Times with their zone as Django's loader reads them, parsed by ``fromisoformat``.

    Django's loader parses each value in Python, and sets itself up again for each
    column of each result: a tenth of the article page's own work in the process.
    The server writes ISO text unless it was told another DateStyle; that, infinity
    and years before Christ go to Django's loader.
    """

    timezone = None  # the zone Django reads times in; it compares this before each cursor

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self.context = context

    def load(self, data):
        try:
            value = datetime.datetime.fromisoformat(str(data, "ascii"))
        except ValueError:
            djangos = psycopg_any.BaseTzLoader(self.oid, self.context)
            djangos.timezone = self.timezone
            return djangos.load(data)
        return value.replace(tzinfo=self.timezone)


@functools.cache
def time_loader(timezone):
    return type("TimeLoader", (TimeLoader,), {"timezone": timezone})


class PreparedCursor(base.ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=True, **kwargs):
        return super().execute(query, params, prepare=prepare, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # For the queries logged in debugging and counted by tests: Django reads a
        # client-side cursor's merged text, which a server-side one does not have.
        if isinstance(cursor, PreparedCursor):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _prepared_cursor = False

    def prepared_cursor(self):
        """A cursor whose statements the server parses and plans once per connection."""
        self._prepared_cursor = True
        try:
            return self.cursor()
        finally:
            self._prepared_cursor = False

    def create_cursor(self, name=None):
        if name or not self._prepared_cursor:
            return super().create_cursor(name)
        connection = self.connection
        factory, connection.cursor_factory = connection.cursor_factory, PreparedCursor
        try:
            return super().create_cursor()
        finally:
            connection.cursor_factory = factory

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_loader("timestamptz", time_loader(self.timezone))
        return connection

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()  # inside a transaction only the server can tell
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
        return not readable
