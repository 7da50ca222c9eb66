"""whitenoise's manifest storage, with each static file's URL worked out once per process.

Django looks the hashed name up in the manifest and rebuilds the URL on every `{% static %}`
(about 20 µs each; the home page has nine). The manifest is read when the process starts and
does not change until the next restart (collectstatic, then restart), so neither does the
URL of a name.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class CachedURLManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        found = self._urls.get(name)
        if found is None:
            # A name missing from the manifest raises here, and is not remembered.
            found = self._urls[name] = super().url(name)
        return found
