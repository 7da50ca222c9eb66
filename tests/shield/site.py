"""A small real Kiln site for the proof tests: an artist, images and published projects,
made through the media (and, when present, portfolio) services, so renditions are real files."""

import io
from dataclasses import dataclass, field


def png(seed: int, width: int = 700, height: int = 480, flat: tuple | None = None) -> bytes:
    from PIL import Image

    if flat is not None:
        image = Image.new("RGB", (width, height), flat)
    else:
        from kiln.core.procedural import artwork

        image = artwork(seed, width, height)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class Site:
    artist: object
    assets: list = field(default_factory=list)
    project_paths: list = field(default_factory=list)

    @property
    def profile_path(self) -> str:
        return f"/@{self.artist.username}"

    def rendition_paths(self) -> list[str]:
        from kiln.media.delivery import rendition_url
        from kiln.media.models import Rendition

        renditions = Rendition.objects.filter(asset__in=self.assets).order_by("asset_id", "pk")
        return [rendition_url(r) for r in renditions]


def build_site(
    make_user, *, images: int = 6, projects: int = 2, flat=None, watermark=None, **profile
) -> Site:
    """Runs with a transactional database (live_server), so processing runs on commit.

    watermark: None, or {"corner": ..., "opacity": ...} set before the uploads are rendered."""
    from kiln.media.models import MediaAsset
    from kiln.media.services import media_asset_create

    artist = make_user("ana", display_name="Ana Example", **profile)
    if watermark is not None:
        from kiln.shield.models import WatermarkPreference

        WatermarkPreference.objects.create(user=artist, enabled=True, **watermark)
    site = Site(artist=artist)
    for seed in range(images):
        asset = media_asset_create(owner=artist, upload=png(seed + 1, flat=flat))
        site.assets.append(MediaAsset.objects.get(pk=asset.pk))
    assert all(a.state == MediaAsset.State.READY for a in site.assets), [
        (a.state, a.failure_reason) for a in site.assets
    ]
    if projects == 0:
        return site
    from kiln.portfolio.services import ImageInput, ProjectInput, project_create, project_publish

    per_project = max(1, len(site.assets) // projects)
    for index in range(projects):
        chunk = site.assets[index * per_project : (index + 1) * per_project]
        data = ProjectInput(
            title=f"Harbour study {index + 1}",
            images=[
                ImageInput(asset_id=a.pk, alt_text=f"Harbour {i}") for i, a in enumerate(chunk)
            ],
        )
        project = project_publish(user=artist, project=project_create(owner=artist, data=data))
        site.project_paths.append(f"/@{artist.username}/projects/{project.pk}")
    return site
