"""The JSON API: one NinjaAPI, each app adds its router. Schema at /api/openapi.json."""

from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from actors.api import router as actors_router
from actors.network_api import router as network_router
from observatory.api import router as observatory_router
from practices.api import router as practices_router
from territories.api import router as territories_router

# The answer of ``invalid_input`` below, for the schema.
INVALID_INPUT = {
    "description": "Paramètres invalides",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["detail", "errors"],
        "properties": {"detail": {"type": "string"}, "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}},
    }}},
}
NOT_FOUND = {"description": "Ressource introuvable",
             "content": {"application/json": {"schema": {"type": "object", "required": ["detail"],
                                                         "properties": {"detail": {"type": "string"}}}}}}


class CatalyseurAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Say what every operation may answer besides its own responses: 422 for invalid
        parameters (``invalid_input`` below, or a NUL character refused by
        ``catalyseur.middleware.RefuseNulMiddleware``), and 404 when its path names something."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault(422, INVALID_INPUT)
                if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                    operation["responses"].setdefault(404, NOT_FOUND)
        return schema


api = CatalyseurAPI(
    title="API Catalyseur",
    version="1",
    description="Données ouvertes de Catalyseur : territoires officiels et de projet, pratiques innovantes.",
    urls_namespace="api",
    docs_url="/docs",
    # Deep links put a link inside each operation's button (nested interactive controls).
    docs=Swagger(settings={"deepLinking": False}),
    openapi_url="/openapi.json",
)
api.add_router("/", territories_router)
api.add_router("/", practices_router)
api.add_router("/", network_router)
api.add_router("/", actors_router)
api.add_router("/", observatory_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Ressource introuvable."}, status=404)


def _french_message(error: dict) -> str:
    """Pydantic's error, said in French (the English text stays for unknown kinds)."""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    messages = {
        "missing": "paramètre obligatoire manquant",
        "string_too_short": f"trop court : au moins {ctx.get('min_length')} caractère(s)",
        "string_too_long": f"trop long : au plus {ctx.get('max_length')} caractères",
        "int_parsing": "nombre entier attendu",
        "int_from_float": "nombre entier attendu",
        "greater_than_equal": f"doit être supérieur ou égal à {ctx.get('ge')}",
        "less_than_equal": f"doit être inférieur ou égal à {ctx.get('le')}",
        "enum": f"valeur non reconnue ; valeurs possibles : {ctx.get('expected')}",
        "json_invalid": "JSON invalide",
    }
    return messages.get(kind, error.get("msg", "valeur invalide"))


@api.exception_handler(ValidationError)
def invalid_input(request, exc):
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body"))
        problems.append({"field": where, "message": _french_message(error)})
    return api.create_response(
        request, {"detail": "Paramètres invalides.", "errors": problems}, status=422
    )
