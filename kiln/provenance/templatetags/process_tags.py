from django import template

from kiln.provenance.process_selectors import evidence_for_asset, process_verified, shown_stages

register = template.Library()


@register.inclusion_tag("provenance/process_mark.html")
def process_mark(asset_id):
    """The small "process verified" mark beside a work's image (one EXISTS query)."""
    return {"verified": bool(asset_id) and process_verified(asset_id=asset_id)}


@register.inclusion_tag("provenance/process_evidence.html")
def process_evidence(asset_id):
    """What the evidence showed, for staff beside a hold and for the artist."""
    return {"evidence": evidence_for_asset(asset_id=asset_id)}


@register.simple_tag
def process_stages_for(images):
    """The shown stages of every image on a page, looked up once: {asset id: [assets]}."""
    return shown_stages(asset_ids=[getattr(image, "asset_id", None) for image in images])


@register.inclusion_tag("provenance/process_stages.html")
def process_stages(stages_by_work, asset_id):
    """The verified stages beside a work, where its artist chose to show them."""
    stages = stages_by_work.get(asset_id, []) if asset_id else []
    return {
        "stages": [
            (a, f"Work in progress, stage {i} of {len(stages)}") for i, a in enumerate(stages, 1)
        ]
    }
