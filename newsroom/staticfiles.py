"""The readers' static files: WhiteNoise's compressed copies with hashed names, each file's
address worked out once per process, as the manifest that gives it is read once."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        known = (name, settings.DEBUG)  # Django's storage leaves names unhashed in DEBUG
        if (url := self.addresses.get(known)) is None:
            url = self.addresses[known] = super().url(name)
        return url
