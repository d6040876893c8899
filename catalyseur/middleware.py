"""Language: French for everyone, English only for those who choose it.

Django's LocaleMiddleware would follow the browser's Accept-Language; Catalyseur's users
are French and the interface speaks French unless a visitor picks English in the footer
(the choice is kept in the language cookie by Django's set_language view).
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class RefuseNulMiddleware:
    """A NUL character (%00) in the address or in its parameters names nothing, and
    PostgreSQL refuses it in any query (a DataError, so a 500): the request is answered
    before any view runs. In the path: 404; in the parameters: 400, or in the API 422 in its
    own format (``catalyseur.api.invalid_input``)."""

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith(self.API_PREFIX)
        if "\x00" in request.path:
            if api:
                return JsonResponse({"detail": "Ressource introuvable."}, status=404)
            raise Http404("Adresse invalide : caractère nul.")
        fields = sorted({name for name, values in request.GET.lists()
                         if "\x00" in name or any("\x00" in value for value in values)})
        if fields:
            if api:
                errors = [{"field": name.replace("\x00", "\\0"), "message": "caractère nul (\\0) interdit"} for name in fields]
                return JsonResponse({"detail": "Paramètres invalides.", "errors": errors}, status=422)
            raise BadRequest("Paramètre invalide : caractère nul (\\0).")
        return self.get_response(request)
