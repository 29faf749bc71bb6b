"""The public, read-only content API (``/api/v1/``): what readers may see, as JSON.

Built on django-ninja: the OpenAPI schema and its documentation page come from the
schemas in ``schemas.py``. Endpoints are thin over the models, the shared lists, search
and most read; ``access.py`` keys, throttles and opens the API to other origins.
"""
