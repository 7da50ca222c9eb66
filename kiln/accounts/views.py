from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kiln.accounts import services
from kiln.accounts.forms import ConsentForm, ProfileForm


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
