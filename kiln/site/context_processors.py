from django.conf import settings

from kiln.messages.selectors import unread_conversation_count
from kiln.notifications.selectors import unread_count


def site(request):
    """Values every page needs: the public origin and the nav's unread badges (notifications,
    conversations)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "KILN_SITE_URL": settings.KILN_SITE_URL,
        "unread_notifications": unread_count(user=user) if signed_in else 0,
        "unread_messages": unread_conversation_count(user=user) if signed_in else 0,
    }
