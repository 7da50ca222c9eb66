"""The S3 storages' options: one shape for kiln/settings.py and for the tests against a store.

The client's timeouts are short on purpose. botocore waits 60 s for an answer and tries five
times: a store that stops answering (the surge's "S3 frozen" drill) then held each upload's
web worker for minutes, the few sync workers of a node filled up, and pages that never touch
the store timed out behind them. A write that gets no answer in KILN_S3_TIMEOUT_SECONDS is
tried once more and then refused clearly (kiln.media.services.StoreUnavailable, a 503).
"""

CONNECT_TIMEOUT_SECONDS = 3
MAX_ATTEMPTS = 2  # the first try and one retry (botocore's "standard" mode backs off between)


def s3_storages(
    *, bucket: str, endpoint_url: str | None, region_name: str | None, timeout_seconds: float
) -> dict:
    """STORAGES entries for public renditions ("default") and private originals ("private")."""
    from botocore.config import Config

    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "region_name": region_name,
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": False,
        "client_config": Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=timeout_seconds,
            retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        ),
    }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "public"},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "private", "querystring_auth": True},
        },
    }
