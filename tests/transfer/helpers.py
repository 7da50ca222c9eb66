"""Builders shared by the transfer tests: an artist with work, files and a social life."""

import io

from PIL import Image


def png_bytes(color=(120, 30, 200), size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def art_bytes(seed: int = 1, size=(320, 240)) -> bytes:
    """A textured picture (flat colours are too plain to be hashed for the registry)."""
    import random

    rng = random.Random(seed)
    image = Image.new("RGB", (size[0] // 8, size[1] // 8))
    image.putdata(
        [tuple(rng.randrange(256) for _ in range(3)) for _ in range(image.width * image.height)]
    )
    out = io.BytesIO()
    image.resize(size, Image.Resampling.BICUBIC).save(out, "PNG")
    return out.getvalue()


def files_under(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _attach_process_evidence(user, asset):
    """Two WIP stages of the project's image (private files that must go with the account)."""
    import io

    from PIL import Image

    from kiln.provenance.process import process_stages_attach

    final = Image.open(io.BytesIO(art_bytes(2))).convert("RGB")
    half = Image.new("RGB", final.size, (245, 245, 240))
    half.paste(final.crop((0, 0, final.width, final.height // 2)), (0, 0))
    stages = []
    for im in (half, final):
        buf = io.BytesIO()
        im.save(buf, "PNG")
        stages.append(buf.getvalue())
    process_stages_attach(user=user, asset=asset, uploads=stages)


def give_artist_a_life(user, other, capture):
    """Posts with images, a project, a reply from someone else, likes both ways, a follow,
    a block, a mute, a bookmark and a message; returns the other person's reply."""
    from kiln.media.services import media_asset_create
    from kiln.messages.services import conversation_open_direct, message_send
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish
    from kiln.posts.services import post_create, post_like
    from kiln.social.services import follow_create, mute_create

    with capture(execute=True):
        asset = media_asset_create(owner=user, upload=art_bytes())
        project_asset = media_asset_create(owner=user, upload=art_bytes(2))
    with capture(execute=True):
        post = post_create(author=user, text="my work #ink", attachments=[(asset.pk, "a square")])
        project = project_create(
            owner=user,
            data=ProjectInput(title="Kilns", images=[ImageInput(project_asset.pk, "green")]),
        )
        project_publish(user=user, project=project)  # published work is in the registry
        _attach_process_evidence(user, project_asset)
        reply = post_create(author=other, text="lovely", in_reply_to=post)
        theirs = post_create(author=other, text="their own post")
        mine_reply = post_create(author=user, text="thanks!", in_reply_to=theirs)
        post_like(user=other, post=post)
        post_like(user=user, post=theirs)
        follow_create(follower=other, followed=user)
        follow_create(follower=user, followed=other)
        mute_create(muter=user, muted=other)
        conversation = conversation_open_direct(sender=user, recipient=other)
        message_send(sender=user, conversation=conversation, body="hello from me")
        message_send(sender=other, conversation=conversation, body="hello back")
    return {"reply": reply, "theirs": theirs, "mine_reply": mine_reply, "post": post}
