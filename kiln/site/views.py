"""Pages composed from several apps: the home page, the profile with its tabs, and the project
page with its likes and comments."""

from django.http import Http404
from django.shortcuts import render

from kiln.accounts import selectors as account_selectors
from kiln.accounts.choices import FIELD_LABELS, FIELDS_OF_WORK
from kiln.hiring import views as hiring_views
from kiln.hiring.commission_selectors import sheet_of
from kiln.hiring.models import CommissionSheet
from kiln.insights.selectors import project_views
from kiln.portfolio import views as portfolio_views
from kiln.portfolio.selectors import more_by_artist, recent_public_projects
from kiln.posts import views as posts_views
from kiln.posts.limits import MAX_TEXT_LENGTH
from kiln.posts.models import Post
from kiln.posts.selectors import project_comments, project_like_state
from kiln.social.selectors import following_ids, profile_relationship_context
from kiln.timelines import services as timeline_services
from kiln.timelines.views import home_timeline

# Each tab's body comes from the app that owns it: f(request, owner) -> (template, context).
PROFILE_TABS = {
    "portfolio": ("Portfolio", portfolio_views.profile_tab),
    "posts": ("Posts", posts_views.profile_tab),
    "likes": ("Likes", posts_views.likes_tab),
    "commissions": ("Commissions", hiring_views.profile_tab),
}

# Tabs that also answer `?format=json`: f(request, owner) -> JsonResponse. Each answers a
# block itself (403), since it reads the reader's blocks for its items anyway.
PROFILE_TABS_JSON = {"posts": posts_views.profile_tab_json}


def home(request):
    """Logged in: the Following timeline. Logged out: a landing page of recent public work."""
    if request.user.is_authenticated:
        if _is_first_run(request.user) and not request.GET:
            return first_run(request)
        return home_timeline(request)
    return render(
        request,
        "core/landing.html",
        {
            "artists": account_selectors.demo_artists(),
            "recent_projects": recent_public_projects(limit=12),
        },
    )


def profile(request, username: str, tab: str = "portfolio"):
    if tab not in PROFILE_TABS:
        raise Http404("No such tab.")
    if request.GET.get("format") == "json" and tab in PROFILE_TABS_JSON:
        owner = account_selectors.user_by_username(username, with_links=False)
        return PROFILE_TABS_JSON[tab](request, owner)
    owner = account_selectors.user_by_username(username)
    tab_template, tab_context = PROFILE_TABS[tab][1](request, owner)
    relationship = profile_relationship_context(viewer=request.user, owner=owner)
    if relationship.get("blocked"):
        # A block hides profile details both ways; the page only says so.
        return render(request, "accounts/profile_blocked.html", {"owner": owner}, status=200)
    return render(
        request,
        "accounts/profile.html",
        {
            "owner": owner,
            "profile": owner.profile,
            "fields": [FIELD_LABELS[f] for f in owner.profile.fields_of_work if f in FIELD_LABELS],
            "tabs": [(key, label) for key, (label, _) in PROFILE_TABS.items()],
            "active_tab": tab,
            "tab_template": tab_template,
            **tab_context,
            **relationship,
        },
    )


def project_detail(request, username: str, project_id: int):
    return portfolio_views.project_detail(
        request, username, project_id, extra_context=project_social_context
    )


def project_social_context(request, project) -> dict:
    """Beside the images: the artist card (social's follow state, hiring's commission sheet),
    "More by this artist", and the likes and comments from the posts app (comments are posts);
    the social parts on published work only."""
    owner = project.owner
    sheet = sheet_of(artist=owner)
    context = {
        "artist_relationship": profile_relationship_context(viewer=request.user, owner=owner),
        "commissions_open": sheet is not None and sheet.status == CommissionSheet.Status.OPEN,
        "more_projects": more_by_artist(owner=owner, viewer=request.user, exclude_id=project.pk),
        # The artist alone sees how often their work was viewed.
        "view_count": project_views(project_id=project.pk)
        if request.user.is_authenticated and request.user.pk == owner.pk
        else None,
    }
    if not project.is_published:
        return context
    return {
        **context,
        "social_template": "posts/_project_comments.html",
        "like": project_like_state(project_id=project.pk, viewer=request.user),
        "comments": project_comments(project_id=project.pk, viewer=request.user),
        "max_text": MAX_TEXT_LENGTH,
    }


def _is_first_run(user) -> bool:
    """Follows nobody and has posted nothing: an empty feed would only say "nothing here"."""
    if following_ids(user):
        return False
    return not Post.objects.filter(author=user, deleted_at__isnull=True).exists()


def first_run(request, per_field: int = 4):
    """A newcomer's home: artists to follow, grouped by their fields of work, newest first."""
    # Still a visit: fan-out reaches only recently active readers. A rebuild has nothing to
    # gather for someone who follows nobody, so its "catching up" flag is not kept.
    timeline_services.timeline_mark_active(user=request.user)
    artists = account_selectors.users_with_profiles().exclude(pk=request.user.pk).order_by("-id")
    by_field: dict[str, list] = {slug: [] for slug, _ in FIELDS_OF_WORK}
    for artist in artists[:120]:
        for slug in artist.profile.fields_of_work:
            if slug in by_field and len(by_field[slug]) < per_field:
                by_field[slug].append(artist)
    groups = [(FIELD_LABELS[slug], people) for slug, people in by_field.items() if people]
    return render(request, "site/first_run.html", {"groups": groups})
