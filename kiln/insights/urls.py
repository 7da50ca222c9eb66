from django.urls import path

from kiln.insights import views

app_name = "insights"
urlpatterns = [path("insights", views.overview, name="overview")]
