"""An Atom feed of the open listings, newest first."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from kiln.hiring.selectors import open_listings


class JobsFeed(Feed):
    feed_type = Atom1Feed
    title = "Kiln jobs"
    subtitle = "Jobs for artists, made by people, each with its pay stated."

    def link(self):
        return reverse("hiring:board")

    def items(self):
        return open_listings().order_by("-published_at")[:50]

    def item_title(self, item):
        return f"{item.title} · {item.organisation}"

    def item_description(self, item):
        pay = f"{item.pay_min:,}–{item.pay_max:,} {item.currency} {item.get_pay_period_display()}"
        return (
            f"{item.get_role_type_display()}, {item.get_workplace_display()}. {pay}.\n\n"
            + (item.description[:500])
        )

    def item_link(self, item):
        return reverse("hiring:listing", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.organisation
