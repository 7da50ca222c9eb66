from django import template

from kiln.core.text import render_plain_text

register = template.Library()


@register.filter
def plain_text(value: str):
    """Escaped text with safe autolinks; the only way user text becomes HTML."""
    return render_plain_text(value)
