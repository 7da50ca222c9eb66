"""HTTP for messages: the inbox, a conversation, starting one, images, the setting."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kiln.accounts.selectors import user_by_username
from kiln.core.access import AccessDenied
from kiln.messages import selectors, services
from kiln.messages.images import private_image_response
from kiln.messages.models import MessageSettings


@login_required
def inbox(request):
    rows = selectors.conversations_for(user=request.user)
    return render(request, "messages/inbox.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request, conversation_id: int):
    convo = selectors.conversation_for_member(user=request.user, conversation_id=conversation_id)
    if convo is None:
        raise Http404("No such conversation.")
    error = None
    if request.method == "POST":
        try:
            services.message_send(
                sender=request.user,
                conversation=convo,
                body=request.POST.get("body", ""),
                images=request.FILES.getlist("images"),
            )
        except (ValidationError, AccessDenied) as exc:
            error = exc.messages[0] if hasattr(exc, "messages") else str(exc)
        else:
            return redirect("kiln_messages:conversation", conversation_id=convo.pk)
    services.conversation_mark_read(user=request.user, conversation=convo)
    return render(
        request,
        "messages/conversation.html",
        {
            "conversation": convo,
            "other": selectors.conversation_other(convo, request.user),
            "thread": selectors.conversation_messages(conversation=convo),
            "error": error,
            "body": request.POST.get("body", "") if error else "",
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def start(request, username: str):
    """Open (or return to) the direct thread with someone, if their setting allows."""
    recipient = user_by_username(username)
    refusal = selectors.direct_message_refusal(sender=request.user, recipient=recipient)
    if refusal:
        return render(
            request, "messages/refused.html", {"reason": refusal, "other": recipient}, status=403
        )
    convo = services.conversation_open_direct(sender=request.user, recipient=recipient)
    return redirect("kiln_messages:conversation", conversation_id=convo.pk)


@login_required
def image(request, conversation_id: int, asset_id: int):
    asset = selectors.message_image_for_member(
        user=request.user, conversation_id=conversation_id, asset_id=asset_id
    )
    if asset is None:
        raise Http404("No such image.")
    return private_image_response(asset)


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    current = selectors.message_allow_setting(request.user)
    if request.method == "POST":
        try:
            services.message_settings_update(user=request.user, allow=request.POST.get("allow"))
        except ValidationError as exc:
            flash.error(request, exc.messages[0])
        else:
            flash.success(request, "Message settings saved.")
            return redirect("kiln_messages:settings")
    return render(
        request,
        "messages/settings.html",
        {"current": current, "choices": MessageSettings.Allow.choices},
    )
