"""A short hash of a template, the templates it includes (followed through `{% include %}`
with a literal name) and Kiln's release: part of the key of any rendered HTML shared between
processes, so a deploy never serves HTML rendered by the templates it replaced."""

import hashlib
import re
from functools import cache

from django.conf import settings
from django.template.loader import get_template

_INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


def template_sources(name: str) -> list[str]:
    """The source of `name` and of every template it includes, each once, in a stable order."""
    seen: dict[str, str] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        source = get_template(current).template.source
        seen[current] = source
        pending.extend(sorted(set(_INCLUDE.findall(source)) - seen.keys(), reverse=True))
    return [f"{key}\n{seen[key]}" for key in sorted(seen)]


@cache
def template_version(name: str) -> str:
    """Computed once per process (templates don't change under a running process)."""
    digest = hashlib.blake2b(settings.KILN_RELEASE.encode(), digest_size=6)
    for source in template_sources(name):
        digest.update(source.encode())
    return digest.hexdigest()
