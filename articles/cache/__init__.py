"""Everything the readers' site keeps: the site's version, pages, fragments, the Redis backend."""
