"""Navigation of the base layout: every part of the platform that exists."""

from django.urls import reverse


def navigation(request):
    items = [
        ("home", "Accueil", reverse("home")),
        ("territories", "Territoires", reverse("territories:index")),
        ("observatory", "Observatoire", reverse("observatory:indicators")),
        ("practices", "Pratiques innovantes", reverse("practices:index")),
        ("actors", "Acteurs", reverse("actors:directory")),
        ("map", "Carte", reverse("map:index")),
        ("api", "API", reverse("api:openapi-view")),
    ]
    current = "home"
    path = request.path
    for key, _label, url in items[1:]:
        if path.startswith(url):
            current = key
    return {"nav_items": items, "nav_current": current}
