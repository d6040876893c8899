from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "actors"
    verbose_name = "Acteurs"

    def ready(self):
        from actors import signals  # noqa: F401 — importing connects the index to every save
