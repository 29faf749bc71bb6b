"""The site's version row, which now lives in ``articles.models.site``; kept under this name
for the cache's modules that import it from here."""

from .models.site import ROW, SiteChange  # noqa: F401
