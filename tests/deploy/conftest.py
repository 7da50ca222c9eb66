from tests.media.conftest import artist, upload  # noqa: F401 - the media fixtures, reused
