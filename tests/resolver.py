"""Every page of the product, read from the URL resolver: tests that must keep holding as pages are added.

A new URL whose parameters the tests do not know makes them fail with the name of the parameter to
add below, rather than be skipped silently.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    params: tuple[str, ...]  # the URL's keyword arguments
    callback: Callable = field(compare=False)
    converters: dict = field(compare=False, default_factory=dict)  # param -> its path converter

    def url(self, **kwargs) -> str:
        return reverse(self.name, kwargs={k: kwargs[k] for k in self.params})


def pages() -> list[Page]:
    """Every named pattern of our own URLconf (the Django admin is left to Django)."""
    found = []

    def walk(patterns, namespace, converters):
        for entry in patterns:
            params = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                if entry.app_name == "admin":
                    continue
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, params)
            elif isinstance(entry, URLPattern) and entry.name:
                found.append(Page(f"{namespace}{entry.name}", tuple(params), entry.callback, params))

    walk(get_resolver().url_patterns, "", {})
    return found
