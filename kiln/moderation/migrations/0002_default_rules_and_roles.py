"""The default rules, and the two roles as groups with the moderation permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

RULES = [
    ("No AI-generated work", "Work made wholly or partly by generative AI isn't allowed, "
     "labelled or not."),
    ("No reposting others' work", "Post only your own work, or others' with credit and their "
     "permission."),
    ("No harassment", "No abuse, threats, hate, pile-ons or targeting of anyone, here or "
     "elsewhere."),
    ("Label mature work", "Nudity, gore and other mature work must be marked as mature."),
    ("No spam", "No advertising, link farms, repeated posts or fake engagement."),
    ("Follow the law", "Nothing illegal where Kiln is hosted: no child sexual abuse material, no "
     "terrorist content, no infringement."),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("moderation", "Rule")
    if not Rule.objects.exists():
        for position, (title, text) in enumerate(RULES):
            Rule.objects.create(position=position, title=title, text=text)
    # Permissions are normally created after migrate; the groups need them now.
    create_permissions(global_apps.get_app_config("moderation"), verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderate = Permission.objects.get(content_type__app_label="moderation", codename="moderate")
    administer = Permission.objects.get(
        content_type__app_label="moderation", codename="administer"
    )
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.add(moderate)
    admins, _ = Group.objects.get_or_create(name="Admins")
    admins.permissions.add(moderate, administer)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
