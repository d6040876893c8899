from django.urls import path

from actors import map_views

app_name = "map"
urlpatterns = [
    path("", map_views.index, name="index"),
    path("liste/", map_views.results, name="results"),
    path("integrer/", map_views.embed, name="embed"),
]
