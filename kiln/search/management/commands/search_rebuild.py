from django.core.management.base import BaseCommand

from kiln.search.services import search_rebuild


class Command(BaseCommand):
    help = "Recreate every search document and tag count from the posts, projects and profiles."

    def handle(self, *args, **options):
        counts = search_rebuild()
        self.stdout.write(
            f"Indexed {counts['posts']} posts, {counts['projects']} projects, "
            f"{counts['artists']} artists."
        )
