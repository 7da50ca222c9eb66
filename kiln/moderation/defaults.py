"""The default rules and the two role groups, made idempotently. The data migration seeds a
new database; tests that flush tables (transaction=True) and `seed_demo` call this again."""

from django.contrib.auth.models import Group, Permission

from .models import Rule

RULES = [
    (
        "No AI-generated work",
        "Work made wholly or partly by generative AI isn't allowed, labelled or not.",
    ),
    (
        "No reposting others' work",
        "Post only your own work, or others' with credit and their permission.",
    ),
    (
        "No harassment",
        "No abuse, threats, hate, pile-ons or targeting of anyone, here or elsewhere.",
    ),
    ("Label mature work", "Nudity, gore and other mature work must be marked as mature."),
    ("No spam", "No advertising, link farms, repeated posts or fake engagement."),
    (
        "Follow the law",
        "Nothing illegal where Kiln is hosted: no child sexual abuse material, no "
        "terrorist content, no infringement.",
    ),
]


def defaults_ensure() -> tuple[Group, Group]:
    """The default rules (only into an empty rule book) and the Moderators and Admins groups."""
    if not Rule.objects.exists():
        for position, (title, text) in enumerate(RULES):
            Rule.objects.create(position=position, title=title, text=text)
    moderate = Permission.objects.get(content_type__app_label="moderation", codename="moderate")
    administer = Permission.objects.get(content_type__app_label="moderation", codename="administer")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(moderate)
    admins, _ = Group.objects.get_or_create(name="Admins")
    admins.permissions.add(moderate, administer)
    return moderators, admins
