from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from kiln.accounts.models import User
from kiln.transfer import export, selectors, services
from kiln.transfer.adapters import PENDING_SESSION_KEY
from kiln.transfer.forms import DeleteAccountForm
from kiln.transfer.models import AccountClosure

BACKEND = "kiln.site.auth_backends.KilnModelBackend"


def _your_data(request, *, delete_form=None, status=200):
    context = {
        "delete_form": delete_form or DeleteAccountForm(),
        "has_two_factor": selectors.has_two_factor(request.user),
        "grace_days": services.grace_period().days,
        "export_days": settings.KILN_EXPORT_DAYS,
        **selectors.your_data_context(request.user),
    }
    return render(request, "transfer/your_data.html", context, status=status)


@login_required
def your_data(request):
    return _your_data(request)


@login_required
@require_POST
def deactivate(request):
    try:
        services.account_deactivate(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("transfer:your_data")
    logout(request)
    messages.success(
        request, "Your account is deactivated: your profile and work are hidden. Log in to undo it."
    )
    return redirect("/")


@login_required
@require_POST
def delete(request):
    form = DeleteAccountForm(request.POST)
    if form.is_valid():
        try:
            closure = services.account_delete_request(
                user=request.user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            logout(request)
            messages.success(
                request,
                f"Your account will be deleted on {closure.purge_after:%-d %B %Y}. "
                "Until then, logging in offers to cancel.",
            )
            return redirect("/")
    return _your_data(request, delete_form=form, status=400)


@require_http_methods(["GET", "POST"])
def deletion_pending(request):
    """Reached only through a full login of an account scheduled for deletion."""
    user = User.objects.filter(pk=request.session.get(PENDING_SESSION_KEY)).first()
    closure = services.closure_of(user)
    if user is None or closure is None or closure.state == AccountClosure.State.DEACTIVATED:
        request.session.pop(PENDING_SESSION_KEY, None)
        return redirect("account_login")
    if request.method == "POST":
        del request.session[PENDING_SESSION_KEY]
        if request.POST.get("action") == "cancel" and services.account_reactivate(user=user):
            login(request, user, backend=BACKEND)
            messages.success(request, "Welcome back: your account will not be deleted.")
            return redirect("/")
        messages.info(request, "Your account stays scheduled for deletion.")
        return redirect("/")
    # Past the grace period the deletion can't be cancelled; whether it is running or waits
    # for a legal hold is not the artist's to see (docs/decisions.md, "Leaving Kiln").
    can_cancel = closure.state == AccountClosure.State.PENDING
    return render(
        request,
        "transfer/deletion_pending.html",
        {"closure": closure, "who": user, "can_cancel": can_cancel},
    )


@login_required
@require_POST
def export_request(request):
    try:
        export.data_export_request(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, "Your export is being made. You will get a notification and an email."
        )
    return redirect("/settings/data#export")


@login_required
def export_download(request, export_id: int):
    """The owner's own export only: anyone else, staff included, gets a 404."""
    found = export.data_export_for_download(user=request.user, export_id=export_id)
    if found is None:
        raise Http404("No such export.")
    name = f"kiln-{request.user.username}-{found.created_at:%Y-%m-%d}.zip"
    response = FileResponse(
        storages["private"].open(found.key, "rb"), as_attachment=True, filename=name
    )
    response["Cache-Control"] = "private, no-store"
    return response
