from django.urls import path, re_path

from practices import views

app_name = "practices"
urlpatterns = [
    path("", views.index, name="index"),
    path("contribuer/", views.contribute, name="contribute"),
    path("mes-fiches/", views.mine, name="mine"),
    path("moderation/", views.moderation, name="moderation"),
    path("importer/", views.import_file, name="import"),
    re_path(r"^export\.(?P<fmt>csv|json)$", views.export, name="export"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/modifier/", views.contribute, name="edit"),
    path("<slug:slug>/relecture/", views.review_case, name="review"),
]
