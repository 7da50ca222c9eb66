from django.conf import settings

from kiln.notifications.selectors import unread_count


def site(request):
    """Values every page needs: the public origin and the nav's unread-notification badge."""
    user = getattr(request, "user", None)
    unread = unread_count(user=user) if user is not None and user.is_authenticated else 0
    return {"KILN_SITE_URL": settings.KILN_SITE_URL, "unread_notifications": unread}
