"""The composed pages' routes. They keep the names they always had ("core:home",
"accounts:profile", "portfolio:project"): kiln/urls.py mounts them into those apps' namespaces."""

from django.urls import path

from kiln.site import previews, views

home_patterns = [path("", views.home, name="home")]

profile_patterns = [
    path("@<username:username>", views.profile, name="profile"),
    path("@<username:username>/posts", views.profile, {"tab": "posts"}, name="profile_posts"),
    path("@<username:username>/likes", views.profile, {"tab": "likes"}, name="profile_likes"),
    path(
        "@<username:username>/commissions",
        views.profile,
        {"tab": "commissions"},
        name="profile_commissions",
    ),
]

project_patterns = [
    path("@<username:username>/projects/<id:project_id>", views.project_detail, name="project"),
]

# Link-preview cards (kiln/site/previews.py), in the "site" namespace.
card_patterns = [
    path("@<username:username>/card.jpg", previews.profile_card, name="profile_card"),
    path(
        "@<username:username>/projects/<id:project_id>/card.jpg",
        previews.project_card,
        name="project_card",
    ),
    path("@<username:username>/posts/<id:post_id>/card.jpg", previews.post_card, name="post_card"),
]
