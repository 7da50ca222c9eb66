from django.urls import path

from kiln.timelines import views

app_name = "timelines"

# The Following timeline is the home page "/" (kiln.core.views.home calls home_timeline).
urlpatterns = [
    path("discover", views.discover, name="discover"),
    path("tags/<segment:tag>", views.tag, name="tag"),
]
