from django.urls import path

from observatory import import_views, map_views, views

app_name = "observatory"
urlpatterns = [
    path("territoires/<str:level>/<str:code>/portrait/", views.portrait, name="portrait"),
    path("territoires/<str:level>/<str:code>/portrait/<str:section>.csv", views.portrait_csv, name="portrait_csv"),
    path("territoires/<str:level>/<str:code>/portrait.pdf", views.portrait_pdf, name="portrait_pdf"),
    path("observatoire/indicateurs/", views.indicators, name="indicators"),
    path("observatoire/indicateurs/<slug:code>/", views.indicator, name="indicator"),
    path("observatoire/comparer/", views.compare, name="compare"),
    path("observatoire/enquetes/", views.surveys, name="surveys"),
    path("observatoire/importer/", import_views.import_page, name="import"),
    path("observatoire/carte/", map_views.map_page, name="map"),
    path("observatoire/carte/donnees.geojson", map_views.map_data, name="map_data"),
]
