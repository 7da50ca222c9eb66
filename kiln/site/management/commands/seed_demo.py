"""`python manage.py seed_demo`: demo artists, their demo art, projects, posts and
follows. Idempotent: running it again changes nothing."""

import io

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from kiln.accounts import services
from kiln.accounts.demo import DEMO_ARTISTS, DEMO_LOGIN, DEMO_PASSWORD
from kiln.accounts.images import normalise_profile_image
from kiln.accounts.models import User
from kiln.core.demo_art import demo_artwork, style_for
from kiln.hiring.seed import seed_hiring
from kiln.moderation.seed import seed_moderation
from kiln.portfolio.seed import seed_projects
from kiln.posts.seed import seed_posts

# Each app's demo content, in order (posts share projects): f(*, artists, stdout) -> None.
SEEDS = [seed_projects, seed_posts, seed_hiring, seed_moderation]


class Command(BaseCommand):
    help = "Create the demo artists and their work (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--artists-only",
            action="store_true",
            help="Create the artists and their profiles, but no projects or posts.",
        )

    def handle(self, *args, **options):
        artists = []
        created = 0
        for index, (username, name, pronouns, location, fields, status, bio) in enumerate(
            DEMO_ARTISTS
        ):
            user, was_created = self._ensure_artist(
                index, username, name, pronouns, location, fields, status, bio
            )
            created += was_created
            artists.append(user)
        self.stdout.write(f"Demo artists: {created} created, {len(artists) - created} existing.")
        for seed in [] if options["artists_only"] else SEEDS:
            seed(artists=artists, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo login: username {DEMO_LOGIN}, password {DEMO_PASSWORD}")
        )

    @transaction.atomic
    def _ensure_artist(self, index, username, name, pronouns, location, fields, status, bio):
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user, False
        user = User.objects.create_user(
            username=username, email=f"{username}@demo.kiln.local", password=DEMO_PASSWORD
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        services.profile_update(
            user=user,
            display_name=name,
            bio=bio,
            pronouns=pronouns,
            location=location,
            fields_of_work=fields,
            status=status,
            links=[f"https://example.com/{username}"],
        )
        services.profile_images_update(
            user=user,
            avatar=normalise_profile_image(
                _png_upload(demo_artwork(9000 + index, 400, 400, style_for(fields, index))),
                kind="avatar",
            ),
            banner=normalise_profile_image(
                _png_upload(demo_artwork(9100 + index, 1500, 500, style_for(fields, index))),
                kind="banner",
            ),
        )
        return user, True


def _png_upload(image) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("art.png", out.getvalue(), content_type="image/png")
