from django import template

from kiln.provenance.selectors import held_asset_ids

register = template.Library()


@register.inclusion_tag("provenance/_asset_notice.html")
def provenance_notice(asset):
    """Tells the artist, next to the image, that it is held and where to see why and appeal.

    Two indexed queries; used on the upload/edit screens, which show at most 20 images.
    """
    held = bool(asset.pk and held_asset_ids(asset_ids=[asset.pk]))
    return {"asset": asset, "held": held}
