"""What a transaction gathers for after its commit, forgotten with it if it rolls back."""

from django.db import transaction


def gathered(kind, using=None, *, per_savepoint=True):
    """The ``kind`` object this transaction (or savepoint) gathers into, or None outside one.

    The object is one of the connection's commit callbacks, called once the transaction
    commits and forgotten with the savepoint it was made in if that rolls back; what a
    savepoint already released into this one gathered is this one's. Without
    ``per_savepoint`` the transaction's first one gathers everything, savepoints' too.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        return None
    savepoints = set(connection.savepoint_ids) if per_savepoint else set()
    for sids, callback, _ in connection.run_on_commit:
        if isinstance(callback, kind) and sids >= savepoints:
            return callback
    found = kind()
    transaction.on_commit(found, using=using)
    return found
