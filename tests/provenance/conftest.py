import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def samples_dir(request):
    # `shared_dir` comes from tests/conftest.py when the project conftest is present.
    try:
        shared = request.getfixturevalue("shared_dir")
    except pytest.FixtureLookupError:
        shared = Path(__file__).resolve().parents[2].parent / "shared"
    return Path(shared) / "samples"
