from kiln.messages.selectors import unread_conversation_count


def unread_messages(request):
    """The nav's unread-conversations badge (kiln.site will compose the nav badges)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_messages": 0}
    return {"unread_messages": unread_conversation_count(user=user)}
