from django.conf import settings


def site(request):
    """Values every page needs: the nav's unread count is added by the notifications app."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        try:
            from kiln.notifications.selectors import unread_count
        except ImportError:  # the notifications app is optional at this layer
            unread = 0
        else:
            unread = unread_count(user=user)
    return {"KILN_SITE_URL": settings.KILN_SITE_URL, "unread_notifications": unread}
