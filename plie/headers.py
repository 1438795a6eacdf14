"""Response headers Django does not send by itself."""

from django.conf import settings


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``camera=(), geolocation=(self)`` from ``{"camera": [], "geolocation": ["self"]}``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class PermissionsPolicyMiddleware:
    """Refuses the browser features the platform never uses (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
