from django.urls import path, register_converter

from territories import views


class LevelConverter:
    regex = "region|departement|epci|commune|project"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LevelConverter, "level")

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("projet/nouveau/", views.project_create, name="project-create"),
    path("project/<slug:code>/modifier/", views.project_edit, name="project-edit"),
    path("project/<slug:code>/supprimer/", views.project_delete, name="project-delete"),
    path("<level:level>/<str:code>/", views.detail, name="detail"),
]
