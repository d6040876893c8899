from django.contrib import admin
from django.urls import include, path

from accounts.views import privacy_page
from catalyseur import views
from catalyseur.health import health
from catalyseur.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", health, name="health"),
    path("confidentialite/", privacy_page, name="privacy"),
    path("territoires/", include("territories.urls")),
    path("", include("observatory.urls")),
    path("compte/", include("accounts.urls")),
    path("pratiques/", include("practices.urls")),
    path("acteurs/", include("actors.urls")),
    path("carte/", include("actors.map_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "catalyseur.views.not_found"
handler500 = "catalyseur.views.server_error"
