from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kiln.accounts import selectors, services
from kiln.accounts.choices import FIELD_LABELS
from kiln.accounts.forms import ConsentForm, ProfileForm
from kiln.core.hooks import optional_callable

# Each tab's body comes from the app that owns it: f(request, owner) -> (template, context).
PROFILE_TABS = {
    "portfolio": ("Portfolio", "kiln.portfolio.views.profile_tab"),
    "posts": ("Posts", "kiln.posts.views.profile_tab"),
    "likes": ("Likes", "kiln.posts.views.likes_tab"),
    "commissions": ("Commissions", "kiln.hiring.views.profile_tab"),
}


# Tabs that also answer `?format=json`: f(request, owner) -> JsonResponse. Each answers a
# block itself (403), since it reads the reader's blocks for its items anyway.
PROFILE_TABS_JSON = {"posts": "kiln.posts.views.profile_tab_json"}


def profile(request, username: str, tab: str = "portfolio"):
    if tab not in PROFILE_TABS:
        raise Http404("No such tab.")
    if request.GET.get("format") == "json" and tab in PROFILE_TABS_JSON:
        owner = selectors.user_by_username(username, with_links=False)
        return optional_callable(PROFILE_TABS_JSON[tab])(request, owner)
    owner = selectors.user_by_username(username)
    tab_provider = optional_callable(PROFILE_TABS[tab][1])
    if tab_provider is None:
        tab_template, tab_context = "accounts/_tab_empty.html", {}
    else:
        tab_template, tab_context = tab_provider(request, owner)
    extra = optional_callable("kiln.social.selectors.profile_relationship_context")
    relationship = extra(viewer=request.user, owner=owner) if extra else {}
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


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = services.profile_ensure(user=request.user)
    initial = {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "pronouns": profile.pronouns,
        "location": profile.location,
        "fields_of_work": profile.fields_of_work,
        "status": profile.status,
        "links": "\n".join(link.url for link in profile.links.all()),
    }
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                user=request.user,
                display_name=data["display_name"],
                bio=data["bio"],
                pronouns=data["pronouns"],
                location=data["location"],
                fields_of_work=data["fields_of_work"],
                status=data["status"],
                links=data["links"],
            )
            if data.get("avatar") or data.get("banner"):
                services.profile_images_update(
                    user=request.user, avatar=data.get("avatar"), banner=data.get("banner")
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile", username=request.user.username)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def privacy_edit(request):
    profile = services.profile_ensure(user=request.user)
    form = ConsentForm(
        request.POST or None,
        initial={
            "allow_search_indexing": profile.allow_search_indexing,
            "allow_image_search": profile.allow_image_search,
            "show_likes_publicly": profile.show_likes_publicly,
            "show_mature": profile.show_mature,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.consent_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Privacy and consent settings saved.")
        return redirect("accounts:privacy")
    return render(request, "accounts/privacy.html", {"form": form, "profile": profile})
