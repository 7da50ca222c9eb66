from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Paths and words a username could shadow or impersonate. /@name keeps profiles apart from
# site paths, but reserved words still stop "@admin" or "@kiln" from misleading people.
RESERVED_USERNAMES = frozenset(
    [
        "admin",
        "administrator",
        "root",
        "staff",
        "support",
        "help",
        "kiln",
        "official",
        "moderator",
        "mod",
        "mods",
        "system",
        "api",
        "settings",
        "about",
        "explore",
        "discover",
        "search",
        "jobs",
        "notifications",
        "messages",
        "home",
        "feed",
        "static",
        "media",
        "login",
        "logout",
        "signup",
        "register",
        "account",
        "accounts",
        "auth",
        "oauth",
        "password",
        "well-known",
        "well_known",
        "robots",
        "sitemap",
        "ai",
        "tdm",
        "tdmrep",
        "policy",
        "terms",
        "privacy",
        "security",
        "null",
        "undefined",
        "none",
        "anonymous",
        "everyone",
        "here",
        "you",
        "me",
        "new",
        "edit",
        "delete",
        "tags",
        "tag",
        "projects",
        "posts",
        "post",
        "users",
        "user",
        "profile",
        "profiles",
        "bookmarks",
        "shield",
        "registry",
        "abuse",
        "legal",
        "press",
    ]
)

username_format = RegexValidator(
    r"^[A-Za-z0-9_]{3,30}\Z",
    "Usernames are 3 to 30 letters, digits or underscores.",
    code="invalid_username",
)


def username_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_USERNAMES:
        raise ValidationError("That username is reserved. Please choose another.", code="reserved")


username_validators = [username_format, username_not_reserved]
