"""``articles.cache.version.shared`` under its old name, until the models stop using it."""

from .cache.version import shared  # noqa: F401
