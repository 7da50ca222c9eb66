"""Pages composed from several apps: the home page, the profile with its tabs, and the project
page with its likes and comments."""

from django.http import Http404
from django.shortcuts import render

from kiln.accounts import selectors as account_selectors
from kiln.accounts.choices import FIELD_LABELS
from kiln.hiring import views as hiring_views
from kiln.portfolio import views as portfolio_views
from kiln.portfolio.selectors import recent_public_projects
from kiln.posts import views as posts_views
from kiln.posts.limits import MAX_TEXT_LENGTH
from kiln.posts.selectors import project_comments, project_like_state
from kiln.social.selectors import profile_relationship_context
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
    """Likes and comments come from the posts app (comments are posts); published work only."""
    if not project.is_published:
        return {}
    return {
        "social_template": "posts/_project_comments.html",
        "like": project_like_state(project_id=project.pk, viewer=request.user),
        "comments": project_comments(project_id=project.pk, viewer=request.user),
        "max_text": MAX_TEXT_LENGTH,
    }
