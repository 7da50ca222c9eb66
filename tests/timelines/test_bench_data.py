"""The benchmark's graph reading: the celebrity case is the account the issue names."""

import importlib.util

from tests.conftest import REPO_ROOT


def _bench_data():
    spec = importlib.util.spec_from_file_location(
        "timeline_data", REPO_ROOT / "bench" / "timeline_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_celebrity_is_the_largest_musae_account(shared_dir):
    data = _bench_data()
    edges = data.read_edges("musae_git_edges.csv")
    assert len(edges) == 289_003  # the header line is skipped
    star, ego = data.celebrity_ego(edges)
    assert len(ego) == 9_458
    assert all(star in edge for edge in ego)


def test_reed98_reads_as_documented(shared_dir):
    edges = _bench_data().read_edges("socfb-Reed98.edges")
    assert len(edges) == 18_812
    assert len({n for edge in edges for n in edge}) == 962
