"""Shared HTML is keyed by the template that rendered it: a deploy never serves stale cards."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from kiln.core import templateversion
from kiln.posts import cards
from kiln.posts.services import post_create

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


@pytest.fixture
def fresh_versions():
    templateversion.template_version.cache_clear()
    cards.clear_card_cache()
    yield
    templateversion.template_version.cache_clear()
    cards.clear_card_cache()


def test_the_card_version_follows_included_templates():
    names = [
        source.split("\n", 1)[0] for source in templateversion.template_sources("posts/_post.html")
    ]
    assert names[0] == "accounts/_avatar.html" and "posts/_actions.html" in names
    assert "posts/_post_content.html" in names


def test_a_changed_card_template_gives_new_keys_and_a_new_card(
    ana, settings, tmp_path, fresh_versions
):
    post = post_create(author=ana, text="hello")
    before_key = cards._shared_key(("same", "facts"))
    assert "kiln-new-template" not in "".join(
        c.html for c in cards.post_cards([post.pk], ana, hidden=set())
    )

    changed = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, changed)
    card = changed / "posts" / "_actions.html"  # an included template changes, not the card
    card.write_text('<span class="kiln-new-template"></span>' + card.read_text())
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [changed]}]
    templateversion.template_version.cache_clear()
    cards.clear_card_cache()

    assert cards._shared_key(("same", "facts")).split(":")[1] != before_key.split(":")[1]
    assert "kiln-new-template" in "".join(
        c.html for c in cards.post_cards([post.pk], ana, hidden=set())
    )


def test_a_new_release_gives_new_keys(settings, fresh_versions):
    before = cards._shared_key(("same",))
    settings.KILN_RELEASE = "another-release"
    templateversion.template_version.cache_clear()
    assert cards._shared_key(("same",)) != before
