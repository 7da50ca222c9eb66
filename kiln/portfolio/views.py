"""Thin views: parse, call a selector or service, render. Permission errors from services
(AccessDenied) become Django's 403 page; someone else's project id is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiln.cloak.selectors import (
    UNAVAILABLE_FOR_ARTISTS,
    CloakStatus,
    cloak_default_for,
    cloak_is_available,
    cloak_status_for_assets,
)
from kiln.core.converters import parse_ids
from kiln.core.http import is_htmx, safe_next
from kiln.core.pagination import parse_cursor
from kiln.media.models import MediaAsset
from kiln.portfolio import embeds, selectors, services, taxonomy
from kiln.portfolio.forms import ProjectForm
from kiln.portfolio.models import Project, ProjectEmbed, ProjectTag
from kiln.portfolio.templatetags.portfolio_tags import project_url
from kiln.provenance.selectors import ai_labels
from kiln.social.selectors import blocked_user_ids

# URL segment -> (label kind, heading). Every label on a project page links to one of these.
LISTINGS = {
    "fields": (ProjectTag.Kind.FIELD, "Field"),
    "categories": (ProjectTag.Kind.CATEGORY, "Category"),
    "software": (ProjectTag.Kind.SOFTWARE, "Software"),
    "mediums": (ProjectTag.Kind.MEDIUM, "Medium"),
    "tags": (ProjectTag.Kind.TAG, "Tag"),
}
PLURAL_HEADINGS = {
    "Field": "Fields",
    "Category": "Categories",
    "Software": "Software",
    "Medium": "Mediums",
    "Tag": "Tags",
}
KIND_TO_SEGMENT = {kind: segment for segment, (kind, _) in LISTINGS.items()}


def profile_tab(request, owner):
    """The Portfolio tab on /@username: the artist's own order, a page at a time (drafts for
    the artist). `?after=` is the no-JavaScript "Load more"; the artist's `?arrange=1` shows
    every project on one page, which is what dragging needs."""
    is_owner = request.user.is_authenticated and request.user.pk == owner.pk
    size = selectors.portfolio_page_size(request.GET.get("size"))
    if is_owner and request.GET.get("arrange") == "1":
        page = selectors.PortfolioPage(
            projects=selectors.portfolio_projects(owner=owner, viewer=request.user),
            next_cursor=None,
            is_first=True,
        )
        return "portfolio/_tab.html", _tab_context(request, owner, page, size, arranging=True)
    try:
        after = selectors.parse_portfolio_cursor(request.GET.get("after"))
    except ValueError:
        after = None  # a garbled link in a full page: start from the beginning
    page = selectors.portfolio_page(owner=owner, viewer=request.user, after=after, size=size)
    return "portfolio/_tab.html", _tab_context(request, owner, page, size)


@require_GET
def profile_tab_page(request, username: str):
    """The next page of tiles for htmx's infinite scroll (the "Load more" link's hx-get)."""
    from kiln.accounts.selectors import users_with_profiles

    owner = users_with_profiles().filter(username__iexact=username).first()
    if owner is None:
        raise Http404("No such artist.")
    if not is_htmx(request):
        # Opened directly (a copied link): the full page shows the same projects.
        query = request.GET.urlencode()
        return redirect(reverse("accounts:profile", args=[owner.username]) + f"?{query}")
    if owner.pk in blocked_user_ids(request.user):
        raise PermissionDenied("This profile is hidden.")  # as the profile page itself
    try:
        after = selectors.parse_portfolio_cursor(request.GET.get("after"))
    except ValueError:
        after = None
    if after is None:
        return HttpResponseBadRequest("That page link is garbled; reload the profile.")
    size = selectors.portfolio_page_size(request.GET.get("size"))
    page = selectors.portfolio_page(owner=owner, viewer=request.user, after=after, size=size)
    return render(request, "portfolio/_page.html", _tab_context(request, owner, page, size))


def _tab_context(request, owner, page, size: int, *, arranging: bool = False) -> dict:
    is_owner = request.user.is_authenticated and request.user.pk == owner.pk
    more_url = more_fragment_url = ""
    if page.next_cursor is not None:
        query = f"after={page.next_cursor}"
        if size != selectors.PAGE_SIZE:
            query += f"&size={size}"
        more_url = reverse("accounts:profile", args=[owner.username]) + f"?{query}"
        more_fragment_url = reverse("portfolio:tab_page", args=[owner.username]) + f"?{query}"
    return {
        "portfolio": page,
        "pinned": selectors.pinned_projects(owner=owner, viewer=request.user)
        if page.is_first and not arranging
        else [],
        "portfolio_owner": owner,
        "projects": page.projects,
        "is_owner": is_owner,
        # Dragging posts the full order, so it needs every project on the page; the arrow
        # buttons move one project and work on any page.
        "sortable": is_owner and page.complete,
        "movable": is_owner,
        "arranging": arranging,
        "more_url": more_url,
        "more_fragment_url": more_fragment_url,
    }


def project_detail(request, username: str, project_id: int, *, extra_context=None):
    """The project page. `extra_context(request, project) -> dict` adds what other apps show
    on it (kiln.site adds the likes and comments, which the posts app owns)."""
    project = selectors.project_for_view(
        viewer=request.user, username=username, project_id=project_id
    )
    groups: dict[str, list] = {}
    for label in project.labels.all():
        groups.setdefault(label.kind, []).append(
            (label.name, reverse(f"portfolio:{KIND_TO_SEGMENT[label.kind]}", args=[label.slug]))
        )
    images = list(project.images.all())
    labels_by_asset = ai_labels(asset_ids=[i.asset_id for i in images])
    title = project.title or "Untitled"
    for number, image in enumerate(images, start=1):
        image.ai_label = labels_by_asset.get(image.asset_id, "")
        image.number = number  # among images only: the full-screen viewer skips embeds
        # Never an empty alt on the work itself: say what it is even before the artist does.
        image.display_alt = image.alt_text or f"{title}, image {number} of {len(images)}"
    items = selectors.project_items(project)
    if items:
        items[0].is_first = True  # the first item loads eagerly; the rest lazily
    for item in items:
        if item.is_embed:
            item.display_alt = item.alt_text or f"{item.kind_label} in “{title}”"
    return render(
        request,
        "portfolio/project_detail.html",
        {
            **(extra_context(request, project) if extra_context else {}),
            "project": project,
            "owner": project.owner,
            "images": images,
            "items": items,
            "label_groups": [
                (heading if len(groups[kind]) == 1 else PLURAL_HEADINGS[heading], groups[kind])
                for _, (kind, heading) in LISTINGS.items()
                if kind in groups
            ],
            "is_owner": request.user.is_authenticated and request.user.pk == project.owner_id,
            "cloak_status": _cloak_status(project, images),
        },
    )


def _cloak_status(project, images) -> CloakStatus:
    """What the page may truthfully say about the cloak (kiln.cloak decides: "pending" only
    while a real job exists, "done" only when every image's job finished)."""
    if not project.cloak_requested or not images:
        return CloakStatus("")
    return cloak_status_for_assets(asset_ids=[image.asset_id for image in images])


def label_listing(request, segment: str, slug: str):
    kind, heading = LISTINGS[segment]
    fixed = {"categories": taxonomy.CATEGORY_LABELS, "fields": None}
    if segment in fixed:
        from kiln.accounts.choices import FIELD_LABELS

        names = fixed[segment] or FIELD_LABELS
        if slug not in names:
            raise Http404("No such category.")
        name = names[slug]
    else:
        name = selectors.label_name(kind=kind, slug=slug) or slug
    page = selectors.projects_with_label(
        kind=kind, slug=slug, before=parse_cursor(request.GET.get("before"))
    )
    return render(
        request,
        "portfolio/listing.html",
        {"heading": heading, "name": name, "page": page, "projects": page.items},
    )


# --- editor --------------------------------------------------------------------------------


def _int_list(values) -> list[int]:
    try:
        return parse_ids(values)
    except (TypeError, ValueError):
        raise ValidationError(
            {"images": ["The image list was garbled; reload and retry."]}
        ) from None


def _parse_item(post, value: str):
    """An editor card's value: an asset id, or "embed:<provider>:<id>" (checked again by the
    service against the allow-list; only provider and id ever travel, never a URL)."""
    alt_text = post.get(f"alt-{value}", "").replace("\r\n", "\n")
    if value.startswith("embed:"):
        _, provider, video_id = (value.split(":", 2) + ["", ""])[:3]
        if not embeds.valid_id(provider, video_id):
            raise ValidationError({"images": ["The image list was garbled; reload and retry."]})
        return services.EmbedInput(provider=provider, video_id=video_id, alt_text=alt_text)
    return services.ImageInput(asset_id=_int_list([value])[0], alt_text=alt_text)


def _parse_images(post) -> tuple[list, int | None]:
    items = [_parse_item(post, value) for value in post.getlist("image")]
    cover = post.get("cover")
    return items, (_int_list([cover])[0] if cover else None)


def _project_input(cleaned: dict, images, cover) -> services.ProjectInput:
    return services.ProjectInput(
        title=cleaned["title"],
        description=cleaned["description"].replace("\r\n", "\n"),
        images=images,
        cover_asset_id=cover,
        fields=cleaned["fields_of_work"],
        categories=cleaned["categories"],
        software=taxonomy.split_list(cleaned["software"]),
        mediums=taxonomy.split_list(cleaned["mediums"]),
        tags=taxonomy.split_list(cleaned["tags"]),
        is_mature=cleaned["is_mature"],
        created_on=cleaned["created_on"],
        cloak_requested=cleaned["cloak_requested"],
        cloak_intensity=cleaned["cloak_intensity"] or Project.CloakIntensity.DEFAULT,
    )


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def _image_items(*, user, images, cover) -> list[dict]:
    """Cards to re-render after a refused save: the user's own assets only, and embeds."""
    ids = [image.asset_id for image in images if isinstance(image, services.ImageInput)]
    assets = MediaAsset.objects.filter(pk__in=ids, owner_id=user.pk).prefetch_related("renditions")
    by_id = {asset.pk: asset for asset in assets}
    cards = []
    for image in images:
        if isinstance(image, services.EmbedInput):
            cards.append({"embed": _unsaved_embed(image), "alt_text": image.alt_text})
        elif image.asset_id in by_id:
            cards.append(
                {
                    "asset": by_id[image.asset_id],
                    "alt_text": image.alt_text,
                    "is_cover": image.asset_id == cover,
                }
            )
    return cards


def _unsaved_embed(item: services.EmbedInput) -> ProjectEmbed:
    return ProjectEmbed(provider=item.provider, video_id=item.video_id, alt_text=item.alt_text)


def _add_embed(request, form, images, image_items, project):
    """The editor's "Add" button: validate the link and show its card; nothing is saved until
    the artist saves the project, just like a fresh upload."""
    url = request.POST.get("embed_url", "")
    error = ""
    try:
        item = services.EmbedInput.from_url(url)
    except embeds.EmbedError as exc:
        error = str(exc)
    else:
        if len(images) >= services.IMAGES_MAX:
            error = f"A project has at most {services.IMAGES_MAX} images and embeds."
        elif any(isinstance(i, services.EmbedInput) and i.key == item.key for i in images):
            error = "That video or model is already in this project."
        else:
            image_items.append({"embed": _unsaved_embed(item), "alt_text": ""})
            url = ""
    return _editor_page(
        request,
        form=form,
        project=project,
        image_items=image_items,
        status=400 if error else 200,
        embed_url=url,
        embed_error=error,
    )


def _cloak_initial(user) -> dict:
    """New projects start with the artist's account-wide cloak default (kiln.cloak owns it)."""
    requested, intensity = cloak_default_for(user=user)
    return {"cloak_requested": requested, "cloak_intensity": intensity}


def _cloak_gate(form, *, new: bool) -> None:
    """Without the encoder weights the cloak option is disabled: a disabled field keeps its
    initial value, so a new work is not cloaked and an existing work's choice is unchanged."""
    if cloak_is_available():
        return
    if new:
        form.initial["cloak_requested"] = False  # the account default can't apply now
    for name in ("cloak_requested", "cloak_intensity"):
        form.fields[name].disabled = True
    form.cloak_unavailable = UNAVAILABLE_FOR_ARTISTS


def _editor(request, project: Project | None):
    if project is not None:
        cover = selectors.cover_image(project)
        image_items = [
            {"embed": item, "alt_text": item.alt_text}
            if item.is_embed
            else {"asset": item.asset, "alt_text": item.alt_text, "is_cover": item == cover}
            for item in selectors.project_items(project)
        ]
        form = ProjectForm(initial=ProjectForm.initial_for(project))
    else:
        image_items = []
        form = ProjectForm(initial=_cloak_initial(request.user))
    if request.method == "POST":
        form = ProjectForm(request.POST, initial=form.initial)
    _cloak_gate(form, new=project is None)
    if request.method == "POST":
        action = request.POST.get("action", "draft")
        try:
            images, cover = _parse_images(request.POST)
        except ValidationError as exc:
            images, cover = [], None
            _add_errors(form, exc)
        else:
            image_items = _image_items(user=request.user, images=images, cover=cover)
            if action == "add_embed":
                form.is_valid()  # keep the typed fields and show their errors, save nothing
                return _add_embed(request, form, images, image_items, project)
        if form.is_valid() and not form.errors:
            data = _project_input(form.cleaned_data, images, cover)
            was_new = project is None
            waiting = None
            try:
                # Save and publish together: a publish refused for missing content changes
                # nothing; one that only has to wait (processing, cloak, review) keeps the draft.
                with transaction.atomic():
                    if was_new:
                        saved = services.project_create(owner=request.user, data=data)
                    else:
                        saved = services.project_update(
                            user=request.user, project=project, data=data
                        )
                    if action == "publish":
                        try:
                            with transaction.atomic():
                                saved = services.project_publish(user=request.user, project=saved)
                        except ValidationError as exc:
                            if not services.only_waiting(exc):
                                raise
                            waiting = exc
                    elif action == "unpublish":
                        saved = services.project_unpublish(user=request.user, project=saved)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if waiting is not None:
                    messages.warning(
                        request,
                        "Saved as a draft, not published yet: " + " ".join(waiting.messages),
                    )
                    return redirect("portfolio:edit", project_id=saved.pk)
                return _after_save(request, saved, action)
    return _editor_page(
        request,
        form=form,
        project=project,
        image_items=image_items,
        status=400 if request.method == "POST" else 200,
    )


def _editor_page(request, *, form, project, image_items, status: int, **extra):
    """The project editor, as first shown, after a refused save, or after adding an embed."""
    return render(
        request,
        "portfolio/editor.html",
        {
            "form": form,
            "project": project if project is not None and project.pk else None,
            "image_items": image_items,
            "images_max": services.IMAGES_MAX,
            "alt_max": services.ALT_MAX,
            **extra,
        },
        status=status,
    )


def _after_save(request, project: Project, action: str):
    if action == "publish":
        messages.success(request, "Published.")
    elif action == "unpublish":
        messages.success(request, "Moved back to drafts; only you can see it.")
    elif project.is_published:
        messages.success(request, "Changes saved.")
    else:
        messages.success(request, "Draft saved. Only you can see it.")
    if project.is_published:
        return redirect(project_url(project))
    return redirect("portfolio:edit", project_id=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    return _editor(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_id: int):
    project = selectors.project_for_edit(user=request.user, project_id=project_id)
    return _editor(request, project)


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, project_id: int):
    project = selectors.project_for_edit(user=request.user, project_id=project_id)
    if request.method == "POST":
        services.project_delete(user=request.user, project=project)
        messages.success(request, "Project deleted, with every copy of its images.")
        return redirect("accounts:profile", username=request.user.username)
    return render(request, "portfolio/delete.html", {"project": project})


@login_required
@require_POST
def project_move(request, project_id: int):
    """Keyboard alternative to dragging: move one place earlier or later."""
    project = selectors.project_for_edit(user=request.user, project_id=project_id)
    offset = -1 if request.POST.get("direction") == "earlier" else 1
    services.portfolio_move(user=request.user, project=project, offset=offset)
    url = reverse("accounts:profile", args=[request.user.username])
    return redirect(url + "?arrange=1" if request.POST.get("arrange") == "1" else url)


@login_required
@require_POST
def project_pin(request, project_id: int):
    """Pin or unpin (`unpin=1`) a work at the top of the profile; a 4th pin says why not."""
    back = safe_next(request, reverse("accounts:profile", args=[request.user.username]))
    try:
        if request.POST.get("unpin"):
            services.project_unpin(user=request.user, project_id=project_id)
            messages.success(request, "Unpinned from your profile.")
        else:
            services.project_pin(user=request.user, project_id=project_id)
            messages.success(request, "Pinned to the top of your profile.")
    except ValidationError as exc:
        # Shown where the artist tapped (the 4th pin, a draft): nothing was changed.
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    return redirect(back)


@login_required
@require_POST
def portfolio_reorder(request):
    """The drag-to-reorder endpoint: every project id, in the new order."""
    try:
        ids = parse_ids(request.POST.getlist("project"))
        services.portfolio_reorder(user=request.user, project_ids=ids)
    except (TypeError, ValueError):
        return HttpResponseBadRequest("The order was garbled; reload and retry.")
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return HttpResponse(status=204)


def _own_asset(request, asset_id: int) -> MediaAsset:
    asset = (
        MediaAsset.objects.filter(pk=asset_id, owner_id=request.user.pk)
        .prefetch_related("renditions")
        .first()
    )
    if asset is None:
        raise Http404("No such upload.")
    return asset


@login_required
@require_GET
def asset_card(request, asset_id: int):
    """The editor card for a fresh upload (the upload script inserts it)."""
    item = {"asset": _own_asset(request, asset_id), "alt_text": "", "is_cover": False}
    return render(
        request, "portfolio/_image_card.html", {"item": item, "alt_max": services.ALT_MAX}
    )


@login_required
@require_GET
def asset_state(request, asset_id: int):
    """htmx polls this until the upload is ready or failed."""
    return render(request, "portfolio/_asset_state.html", {"asset": _own_asset(request, asset_id)})


@login_required
@require_POST
def asset_retry(request, asset_id: int):
    """Queue a failed upload again; answers with the polling state fragment."""
    from kiln.media.services import media_asset_retry

    asset = _own_asset(request, asset_id)
    try:
        asset = media_asset_retry(asset=asset)
    except ValidationError as exc:  # a poisoned file: the fragment says why, with no retry
        return HttpResponseBadRequest(" ".join(exc.messages))
    return render(request, "portfolio/_asset_state.html", {"asset": asset})
