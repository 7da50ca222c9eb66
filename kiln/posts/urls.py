from django.urls import path

from kiln.posts import views, views_bookmarks, views_projects

app_name = "posts"

urlpatterns = [
    path("compose", views.compose, name="compose"),
    path("@<username:username>/posts/<id:post_id>", views.post_detail, name="detail"),
    path("@<username:username>/posts/<id:post_id>/history", views.post_history, name="history"),
    path("@<username:username>/posts/<id:post_id>/edit", views.post_edit, name="edit"),
    path("posts/<id:post_id>/like", views.like, name="like"),
    path("posts/<id:post_id>/unlike", views.unlike, name="unlike"),
    path("posts/<id:post_id>/repost", views.repost, name="repost"),
    path("posts/<id:post_id>/unrepost", views.unrepost, name="unrepost"),
    path("posts/<id:post_id>/delete", views.delete, name="delete"),
    path("posts/<id:post_id>/bookmark", views_bookmarks.post_bookmark, name="bookmark"),
    path("posts/<id:post_id>/save", views_bookmarks.post_save, name="save"),
    path("posts/<id:post_id>/unsave", views_bookmarks.post_unsave, name="unsave"),
    path("projects/<id:project_id>/save", views_bookmarks.project_save, name="project_save"),
    path("projects/<id:project_id>/unsave", views_bookmarks.project_unsave, name="project_unsave"),
    path("bookmarks", views_bookmarks.collections, name="bookmarks"),
    path("bookmarks/<id:collection_id>", views_bookmarks.collection, name="bookmark_collection"),
    path(
        "bookmarks/<id:collection_id>/delete",
        views_bookmarks.collection_delete,
        name="bookmark_collection_delete",
    ),
    path("projects/<id:project_id>/like", views_projects.project_like, name="project_like"),
    path("projects/<id:project_id>/unlike", views_projects.project_unlike, name="project_unlike"),
    path(
        "projects/<id:project_id>/comments",
        views_projects.project_comment,
        name="project_comment",
    ),
    path(
        "projects/<id:project_id>/bookmark",
        views_bookmarks.project_bookmark,
        name="project_bookmark",
    ),
]
