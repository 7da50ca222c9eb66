# The same fast, pipeline-free ready asset the posts tests use.
from tests.posts.conftest import make_asset  # noqa: F401
