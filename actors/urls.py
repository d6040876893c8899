from django.urls import path

from actors import views

app_name = "actors"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("organisations/nouvelle/", views.organization_edit, name="organization_create"),
    path("organisations/<slug:slug>/", views.organization, name="organization"),
    path("organisations/<slug:slug>/modifier/", views.organization_edit, name="organization_edit"),
    path("organisations/<slug:slug>/logo/", views.organization_logo, name="organization_logo"),
    path("organisations/<slug:slug>/gerer/", views.organization_claim, name="organization_claim"),
    path("demandes/", views.claims, name="claims"),
    path("importer/", views.register_import, name="import"),
    path("partenariats/proposer/", views.partnership_propose, name="partnership_propose"),
    path("partenariats/<int:pk>/", views.partnership, name="partnership"),
    path("catalyseurs/", views.catalysts, name="catalysts"),
    path("catalyseurs/mon-profil/", views.my_catalyst, name="my_catalyst"),
    path("catalyseurs/mon-profil/export.json", views.my_catalyst_export, name="my_catalyst_export"),
    path("catalyseurs/mon-profil/supprimer/", views.my_catalyst_delete, name="my_catalyst_delete"),
    path("catalyseurs/<slug:slug>/", views.catalyst, name="catalyst"),
    path("reseau/<str:level>/<str:code>/", views.network, name="network"),
]
