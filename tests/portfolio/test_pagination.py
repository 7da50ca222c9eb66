"""The Portfolio tab a page at a time: keyset on (position, id) in the artist's order, htmx
infinite scroll with a plain "Load more" link, constant queries, and no project shown twice
whatever the artist does while someone scrolls."""

import random
import re

import pytest

from kiln.media.models import MediaAsset, Rendition
from kiln.portfolio import selectors, services
from kiln.portfolio.models import PortfolioOrder, Project, ProjectImage

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TILE = re.compile(r'<li class="project-tile[^"]*" data-project-id="(\d+)"')
FRAGMENT = re.compile(r'hx-get="([^"]+)"')
FULL = re.compile(r'<a class="button" href="([^"]+)" hx-get=')


def _ready_asset(owner, n: int) -> MediaAsset:
    """A processed asset without running the pipeline (rows only): the grid reads rows."""
    asset = MediaAsset.objects.create(
        owner=owner,
        state=MediaAsset.State.READY,
        original_key=f"originals/test-{owner.pk}-{n}.png",
        original_format="png",
        original_sha256=f"{n:064d}",
        width=96,
        height=64,
        dominant_color="#808080",
    )
    Rendition.objects.create(
        asset=asset, format="jpeg", width=96, height=64, key=f"ab/{asset.pk}.jpg", bytes=100
    )
    return asset


def _projects(owner, count: int, *, state=Project.State.PUBLISHED, start: int = 0) -> list:
    """`count` projects at positions start.., each with one image (as after a reorder)."""
    made = []
    for n in range(start, start + count):
        project = Project.objects.create(
            owner=owner, title=f"Work {n}", state=state, position=n, published_at=None
        )
        image = ProjectImage.objects.create(project=project, asset=_ready_asset(owner, n))
        project.cover = image
        project.save(update_fields=["cover"])
        made.append(project)
    return made


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in TILE.findall(html)]


def _scroll(client, username: str, *, size: int = 12, between=None) -> tuple[list[int], str]:
    """Load the tab, then follow htmx's "Load more" to the end, calling between(n) after page n.
    Returns every tile id shown, in order, and the last response's HTML."""
    html = client.get(f"/@{username}?size={size}").content.decode()
    shown = _ids(html)
    page = 1
    while match := FRAGMENT.search(html):
        if between:
            between(page)
        html = client.get(match.group(1).replace("&amp;", "&"), **HX).content.decode()
        shown += _ids(html)
        page += 1
    return shown, html


def _order(owner) -> list[int]:
    return [p.pk for p in selectors.portfolio_projects(owner=owner, viewer=owner)]


def test_pages_follow_the_artists_order_with_no_gaps_or_duplicates(client, artist):
    _projects(artist, 30)
    _projects(artist, 3, state=Project.State.DRAFT, start=100)  # drafts: the artist's only
    everything = list(Project.objects.filter(owner=artist))
    services.portfolio_reorder(
        user=artist,
        project_ids=[p.pk for p in random.Random(1).sample(everything, len(everything))],
    )
    # Reordered above, so the expected order is the stored one.
    published = [pk for pk in _order(artist) if Project.objects.get(pk=pk).is_published]
    shown, last = _scroll(client, artist.username, size=12)
    assert shown == published  # 12 + 12 + 6, in the artist's order
    assert "Load more" not in last and "Work 100" not in last
    # The artist sees their drafts too, in their place.
    client.force_login(artist)
    shown, _ = _scroll(client, artist.username, size=12)
    assert shown == _order(artist) and len(shown) == 33


def test_load_more_is_a_plain_link_without_javascript(client, artist):
    made = _projects(artist, 5)
    html = client.get(f"/@{artist.username}?size=2").content.decode()
    assert _ids(html) == [p.pk for p in made[:2]]
    link = FULL.search(html).group(1).replace("&amp;", "&")
    assert link.startswith(f"/@{artist.username}?after=") and "size=2" in link
    second = client.get(link).content.decode()  # the whole profile page, the next projects
    assert '<nav class="tabs"' in second and _ids(second) == [p.pk for p in made[2:4]]
    # The fragment URL opened directly (no htmx) lands on that same full page.
    fragment = FRAGMENT.search(html).group(1).replace("&amp;", "&")
    response = client.get(fragment)
    assert response.status_code == 302 and response["Location"] == link
    last = client.get(FULL.search(second).group(1).replace("&amp;", "&")).content.decode()
    assert _ids(last) == [made[4].pk] and "Load more" not in last


# What the profile page costs around the tab, for an anonymous visitor: the artist, their
# links, and the counts and relationship in one query (kiln.accounts and kiln.social).
PROFILE_QUERIES = 3


@pytest.mark.parametrize("size", [12, 48])
def test_a_page_costs_the_same_queries_at_any_size(client, artist, django_assert_num_queries, size):
    _projects(artist, 2 * size + 1)
    first = client.get(f"/@{artist.username}?size={size}").content.decode()
    more = FRAGMENT.search(first).group(1).replace("&amp;", "&")
    client.get(more, **HX)  # warm per-process caches (the shield's token list)
    # The artist; projects (with the order version); images with their assets; renditions.
    with django_assert_num_queries(4):
        response = client.get(more, **HX)
    assert len(_ids(response.content.decode())) == size
    # The tab: the same 3, no lookup, plus one for the pinned works (none here: their images
    # and renditions are prefetched only when there are some).
    with django_assert_num_queries(PROFILE_QUERIES + 4):
        response = client.get(f"/@{artist.username}?size={size}")
    assert len(_ids(response.content.decode())) == size


def test_scrolling_while_the_artist_publishes_creates_and_deletes(client, artist, make_asset):
    made = _projects(artist, 20)
    drafts = _projects(artist, 2, state=Project.State.DRAFT, start=50)  # after every page
    added = []

    def meanwhile(page):
        if page == 1:
            # A brand-new project goes first: a scroll already past the start never shows it.
            new = services.project_create(
                owner=artist,
                data=services.ProjectInput(
                    title="Fresh", images=[services.ImageInput(asset_id=make_asset(artist).pk)]
                ),
            )
            added.append(services.project_publish(user=artist, project=new).pk)
            # A draft published in place, further down: it shows up once, in its place.
            Project.objects.filter(pk=drafts[0].pk).update(state=Project.State.PUBLISHED)
            # One not shown yet is deleted, one not shown yet is unpublished.
            Project.objects.filter(pk=made[15].pk).delete()
            Project.objects.filter(pk=made[16].pk).update(state=Project.State.DRAFT)

    shown, _ = _scroll(client, artist.username, size=6, between=meanwhile)
    assert len(shown) == len(set(shown))
    expected = [p.pk for p in made if p not in (made[15], made[16])] + [drafts[0].pk]
    assert shown == expected  # nothing skipped, nothing twice
    assert added[0] not in shown
    assert client.get(f"/@{artist.username}?size=6").content.decode().count("Fresh") == 1


def test_a_reorder_mid_scroll_ends_it_with_a_notice_never_a_repeat(client, artist):
    made = _projects(artist, 20)

    def meanwhile(page):
        if page == 1:  # move what the visitor already saw to the end, and the rest first
            ids = [p.pk for p in made]
            services.portfolio_reorder(user=artist, project_ids=ids[6:] + ids[:6])

    shown, last = _scroll(client, artist.username, size=6, between=meanwhile)
    assert shown == [p.pk for p in made[:6]]  # the old order's first page, nothing after
    assert "rearranged this portfolio while you were looking" in last
    assert f'href="/@{artist.username}">See it in the new order' in last
    assert 'id="portfolio-more" class="portfolio-more" hx-swap-oob="true"' in last
    # The same cursor on the full page (no JavaScript) says the same.
    assert PortfolioOrder.objects.get(owner=artist).version == 1
    stale = f"/@{artist.username}?after=0_5_{made[5].pk}&size=6"
    html = client.get(stale).content.decode()
    assert _ids(html) == [] and "rearranged this portfolio" in html


def test_the_keyboard_move_also_ends_a_scroll_and_a_no_op_reorder_does_not(client, artist):
    made = _projects(artist, 10)
    ids = [p.pk for p in made]
    services.portfolio_reorder(user=artist, project_ids=ids)  # the same order: nothing moves
    assert not PortfolioOrder.objects.filter(owner=artist).exists()
    html = client.get(f"/@{artist.username}?size=4").content.decode()
    more = FRAGMENT.search(html).group(1).replace("&amp;", "&")
    services.portfolio_move(user=artist, project=made[8], offset=-1)
    response = client.get(more, **HX).content.decode()
    assert _ids(response) == [] and "rearranged" in response


@pytest.mark.parametrize("seed", range(6))
def test_whatever_happens_each_project_appears_at_most_once(client, artist, seed):
    """Random publishing, unpublishing, deleting, creating and reordering between pages."""
    rng = random.Random(seed)
    _projects(artist, 25)
    _projects(artist, 5, state=Project.State.DRAFT, start=40)
    counter = iter(range(1000, 2000))

    def meanwhile(page):
        for _ in range(rng.randint(0, 3)):
            mine = list(Project.objects.filter(owner=artist))
            action = rng.choice(["create", "publish", "unpublish", "delete", "reorder", "move"])
            target = rng.choice(mine)
            if action == "create":
                n = next(counter)
                first = min(p.position for p in mine)
                project = Project.objects.create(
                    owner=artist, title=f"New {n}", position=first - 1, state="published"
                )
                ProjectImage.objects.create(project=project, asset=_ready_asset(artist, n))
            elif action in ("publish", "unpublish"):
                state = "published" if action == "publish" else "draft"
                Project.objects.filter(pk=target.pk).update(state=state)
            elif action == "delete" and len(mine) > 3:
                ProjectImage.objects.filter(project=target).delete()
                target.delete()
            elif action == "reorder":
                ids = [p.pk for p in mine]
                rng.shuffle(ids)
                services.portfolio_reorder(user=artist, project_ids=ids)
            elif action == "move":
                services.portfolio_move(user=artist, project=target, offset=rng.choice([-3, 1]))

    shown, last = _scroll(client, artist.username, size=4, between=meanwhile)
    assert len(shown) == len(set(shown)), shown


def test_garbled_cursors_and_sizes(client, artist):
    made = _projects(artist, 3)
    fragment = f"/@{artist.username}/portfolio/page"
    for bad in ["x", "1_2", "1_2_3_4", "-1_0_5", "0_0_0", "0_99999999999_5", ""]:
        response = client.get(f"{fragment}?after={bad}", **HX)
        assert response.status_code == 400, bad
        assert b"garbled" in response.content
    # In a full page a garbled link starts from the beginning; a silly size is the default.
    html = client.get(f"/@{artist.username}?after=nonsense&size=lots").content.decode()
    assert _ids(html) == [p.pk for p in made]
    assert selectors.portfolio_page_size("1000") == 48 and selectors.portfolio_page_size("0") == 1
    assert client.get("/@nobody/portfolio/page?after=0_0_1", **HX).status_code == 404


def test_fragments_keep_drafts_private_and_respect_blocks(client, artist, other):
    from kiln.social.models import Block

    _projects(artist, 3)
    drafts = _projects(artist, 2, state=Project.State.DRAFT, start=10)
    cursor = f"0_2_{Project.objects.get(position=2, owner=artist).pk}"
    html = client.get(f"/@{artist.username}/portfolio/page?after={cursor}", **HX).content
    assert _ids(html.decode()) == []  # the drafts after it are the artist's alone
    client.force_login(artist)
    html = client.get(f"/@{artist.username}/portfolio/page?after={cursor}", **HX).content
    assert _ids(html.decode()) == [d.pk for d in drafts]
    Block.objects.create(blocker=artist, blocked=other)
    client.force_login(other)
    response = client.get(f"/@{artist.username}/portfolio/page?after={cursor}", **HX)
    assert response.status_code == 403


def test_the_owner_drags_on_one_page_and_arranges_a_long_portfolio(client, artist):
    made = _projects(artist, 5)
    client.force_login(artist)
    short = client.get(f"/@{artist.username}").content.decode()
    assert "data-sortable" in short and "arrange every project" not in short
    # Longer than a page: arrow buttons on every tile, dragging only in "arrange" mode.
    paged = client.get(f"/@{artist.username}?size=2").content.decode()
    assert "data-sortable" not in paged and paged.count('name="direction"') == 4
    assert f'href="/@{artist.username}?arrange=1">arrange every project' in paged
    assert 'aria-label="Move “Work 1” later"' in paged
    assert 'aria-label="Move “Work 1” later" disabled' not in paged  # more come after it
    arranging = client.get(f"/@{artist.username}?arrange=1&size=2").content.decode()
    assert "data-sortable" in arranging and _ids(arranging) == [p.pk for p in made]
    assert "Done arranging" in arranging and "Load more" not in arranging
    response = client.post(
        f"/portfolio/projects/{made[4].pk}/move", {"direction": "earlier", "arrange": "1"}
    )
    assert response.status_code == 302 and response["Location"] == f"/@{artist.username}?arrange=1"
    assert _order(artist)[3] == made[4].pk
    # Visitors can't ask for everything at once.
    client.logout()
    visitor = client.get(f"/@{artist.username}?arrange=1&size=2").content.decode()
    assert len(_ids(visitor)) == 2 and "data-sortable" not in visitor
