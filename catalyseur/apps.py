from django.apps import AppConfig


class CatalyseurConfig(AppConfig):
    name = "catalyseur"
    verbose_name = "Catalyseur"
