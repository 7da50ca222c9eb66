"""Fixtures shared by every app's tests."""

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
CHROMIUM = os.environ.get("KILN_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; Django's async-safety check
# would otherwise refuse ORM calls made by browser tests between page actions.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared materials (sample art, AI samples, graphs, model weights)."""
    if not SHARED_DIR.is_dir():
        pytest.fail(f"Shared materials not found at {SHARED_DIR}")
    return SHARED_DIR


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Every test gets its own empty media root, so file-leak assertions are exact."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    configured = settings.STORAGES
    isolated = dict(configured)
    for alias, folder in (("default", "public"), ("private", "private")):
        if configured[alias]["BACKEND"].endswith("FileSystemStorage"):
            options = {**configured[alias].get("OPTIONS", {}), "location": root / folder}
            isolated[alias] = {**configured[alias], "OPTIONS": options}
    settings.STORAGES = isolated
    return root


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters and cached pages must not leak between tests."""
    from django.core.cache import cache

    from kiln.core.limits import limit_store
    from kiln.posts.cards import clear_card_cache

    # The shield's counters and bans live in their own store shared by every process.
    cache.clear()
    clear_card_cache()
    limit_store().clear()
    yield
    cache.clear()
    clear_card_cache()
    limit_store().clear()


@pytest.fixture
def ana(make_user):
    """Two artists most feed tests need (a module may define its own ana and ben)."""
    return make_user("ana", display_name="Ana Ink")


@pytest.fixture
def ben(make_user):
    return make_user("ben", display_name="Ben Clay")


@pytest.fixture
def make_user(db):
    """make_user("ana") -> a verified, active user with a profile; password "pw-Kiln-2026"."""
    from allauth.account.models import EmailAddress

    from kiln.accounts.models import User
    from kiln.accounts.services import profile_ensure

    def make(username: str = "artist", **profile_fields):
        user = User.objects.create_user(
            username=username, email=f"{username.lower()}@example.com", password="pw-Kiln-2026"
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        profile = profile_ensure(user=user)
        for key, value in profile_fields.items():
            setattr(profile, key, value)
        if profile_fields:
            profile.save()
        return user

    return make


# --- Browser tests: Playwright driving Debian's Chromium -----------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "Chromium is missing: `make test` installs it (apt-get install chromium). "
            "Browser tests are never skipped."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def page(page):
    """Fail fast: a missing element should not cost 30 seconds of a 2-core CI run."""
    page.set_default_timeout(8000)
    return page


@pytest.fixture
def timeline_calls(monkeypatch):
    """What the timelines' event subscribers ask of the timelines services, in order; the
    on-commit ones are recorded when asked (as if the transaction had committed)."""
    import types

    from kiln.timelines import services as timeline_services
    from kiln.timelines import subscribers

    calls = []
    for name in (
        "timeline_post_created",
        "timeline_post_deleted",
        "timeline_follow_created",
        "timeline_follow_removed",
    ):
        monkeypatch.setattr(
            timeline_services, name, lambda name=name, **kwargs: calls.append((name, kwargs))
        )
    monkeypatch.setattr(subscribers, "transaction", types.SimpleNamespace(on_commit=lambda f: f()))
    return calls
