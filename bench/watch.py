"""Redis commands and requests per second of one page in this process, as set up.

Serves ``PATH`` through Django's WSGI handler, counts the Redis commands a request sends
(from this thread: the watch's own thread is left out), then times five rounds and
prints their median. Run it once with ``CACHE_WATCH=true`` and once with ``false``, with
the settings of a site (``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``, ``CACHE_URL``...).

    python bench/watch.py / 1000
"""

import io
import statistics
import sys
import threading
import time

import django


def main(path, count):
    django.setup()
    import redis.connection
    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "SCRIPT_NAME": "",
    }  # fmt: skip

    def serve(n):
        for _ in range(n):
            response = handler({**environ, "wsgi.input": io.BytesIO()}, lambda s, h: None)
            b"".join(response)
            response.close()
            if response.status_code != 200:
                sys.exit(f"{path}: {response.status_code}")

    serve(200)
    time.sleep(0.5)  # the watch's thread is listening
    serve(200)

    sent = []
    connection = redis.connection.AbstractConnection
    real = connection.send_packed_command

    def counted(self, *args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            sent.append(1)
        return real(self, *args, **kwargs)

    connection.send_packed_command = counted
    serve(100)
    connection.send_packed_command = real

    rates = []
    for _ in range(5):
        began = time.perf_counter()
        serve(count)
        rates.append(count / (time.perf_counter() - began))
    print(
        f"{path}: {len(sent) / 100:.2f} Redis commands a request, "
        f"{statistics.median(rates):.0f} requests/s (median of 5 rounds)"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
