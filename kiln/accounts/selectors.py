from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import Http404

from kiln.accounts.models import User
from kiln.core.fastdb import PreparedQuery, get_by


def users_with_profiles() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("profile")


# Every profile page starts here, so the lookup is prepared (kiln.core.fastdb). Usernames are
# ASCII, so comparing lower-cased names is the case-insensitive match, on the unique index.
_active_user_by_lower_name = PreparedQuery(
    lambda name: users_with_profiles().alias(lower_name=Lower("username")).filter(lower_name=name),
    "str",
)


def profile_of(user):
    """`user.profile`, read with a prepared query the first time (kiln.core.fastdb) and kept
    on the instance as Django's own accessor would keep it."""
    from kiln.accounts.models import Profile

    cached = User.profile.related.get_cached_value(user, default=None)
    if cached is not None:
        return cached
    profile = get_by(Profile, "pk", user.pk)
    if profile is None:
        return user.profile  # raises Profile.DoesNotExist, as the accessor does
    User.profile.related.set_cached_value(user, profile)
    Profile.user.field.set_cached_value(profile, user)
    return profile


def user_by_username(username: str, *, with_links: bool = True) -> User:
    """Case-insensitive, active accounts only; anything else is a plain 404. `with_links`
    loads the profile's links too (the profile page shows them; JSON does not)."""
    found = _active_user_by_lower_name(username.lower()) if len(username) <= 30 else []
    if not found:
        raise Http404("No such artist.")
    user = found[0]
    if with_links:
        prefetch_related_objects([user.profile], "links")
    return user


def demo_artists(limit: int = 12) -> QuerySet[User]:
    return users_with_profiles().order_by("id")[:limit]


def signup_block_reason(*, email: str, ip: str | None) -> str | None:
    """Why a sign-up from this email and address is refused (a SignupBlock matches), else None.
    A domain block covers its subdomains; an IP block is an address or a CIDR range."""
    import ipaddress

    from kiln.accounts.models import SignupBlock

    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    blocks = list(SignupBlock.objects.values_list("kind", "value"))
    for kind, value in blocks:
        if kind == SignupBlock.Kind.DOMAIN and (domain == value or domain.endswith("." + value)):
            return "Sign-ups from this email domain are not accepted."
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    for kind, value in blocks:
        if kind == SignupBlock.Kind.IP:
            network = ipaddress.ip_network(value, strict=False)
            if address.version == network.version and address in network:
                return "Sign-ups from your network are not accepted."
    return None
