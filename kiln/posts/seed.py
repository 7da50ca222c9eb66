"""Demo content for the feed: follows, posts with images and hashtags, replies, likes, reposts.

Called by `seed_demo` after the portfolio seed. Idempotent: if the demo artists already have
posts it does nothing. Images are small demo artworks (kiln.core.demo_art, in each artist's
style) through the real media pipeline.
"""

from django.db import transaction

from kiln.core.demo_art import DESCRIPTIONS, demo_artwork_bytes, style_for
from kiln.portfolio.models import Project
from kiln.posts import services
from kiln.posts.models import Post
from kiln.social.services import follow_create

LINES = [
    "Morning light on the studio wall. Testing a new palette. #colour #studio",
    "Thumbnails for a new series, three of ten. Which one reads best? #sketchbook #process",
    "Glaze test came out of the kiln looking like a storm. Keeping it. #ceramics",
    "Finished the cover! Lettering next. #illustration #wip",
    "Reminder: your work on Kiln is never used to train AI. #artistsrights",
    "Weekend plein-air session by the harbour. Windy, worth it. #painting #pleinair",
    "Value study before colour, always. #process #painting",
    "New environment sketch: a flooded station at dusk. #conceptart #environment",
]
REPLIES = [
    "This is gorgeous. The edges in the top left!",
    "Second one reads best to me.",
    "What brushes are you using here?",
    "Love the mood of this.",
]


def _image_asset(owner, seed: int, style: str):
    from kiln.media.services import media_asset_create

    return media_asset_create(owner=owner, file=demo_artwork_bytes(seed, 640, 480, style))


def _share_projects(artists) -> int:
    """A few artists share a published portfolio project as a rich card, when there are any."""
    shared = 0
    for artist in artists:
        project = Project.objects.filter(owner=artist, state="published").first()
        if project is not None:
            services.post_create(
                author=artist, text="New project in my portfolio. #newwork", project=project
            )
            shared += 1
    return shared


@transaction.atomic
def seed_posts(*, artists, stdout=None) -> int:
    """Returns the number of posts written (0 when the feed is already seeded)."""
    artists = list(artists)
    if len(artists) < 2 or Post.objects.filter(author__in=artists).exists():
        if stdout:
            stdout.write("Demo posts: already there.")
        return 0
    count = len(artists)
    for index, artist in enumerate(artists):
        for step in (1, 2, 3):
            other = artists[(index + step) % count]
            if other.pk != artist.pk:
                follow_create(follower=artist, followed=other)
    posts = []
    for index, artist in enumerate(artists):
        for n in range(2):
            line = LINES[(index * 2 + n) % len(LINES)]
            with_image = n == 0 and index < 6  # a few small images keep the seed fast
            style = style_for(artist.profile.fields_of_work, index)
            attachments = (
                [(_image_asset(artist, 500 + index, style), DESCRIPTIONS[style])]
                if with_image
                else []
            )
            mention = artists[(index + 1) % count]
            text = line if n == 0 else f"{line} Thanks for the tips, @{mention.username}!"
            posts.append(services.post_create(author=artist, text=text, attachments=attachments))
    written = len(posts)
    written += _share_projects(artists[:3])
    for index, post in enumerate(posts[:8]):
        replier = artists[(index + 2) % count]
        if replier.pk != post.author_id:
            services.post_create(
                author=replier, text=REPLIES[index % len(REPLIES)], in_reply_to=post
            )
            written += 1
    for index, post in enumerate(posts):
        for step in (1, 2):
            fan = artists[(index + step) % count]
            if fan.pk != post.author_id:
                services.post_like(user=fan, post=post)
        if index % 3 == 0:
            fan = artists[(index + 3) % count]
            if fan.pk != post.author_id:
                services.post_reblog(user=fan, post=post)
    if stdout:
        stdout.write(f"Demo posts: {written} written, with follows, likes and reposts.")
    return written
