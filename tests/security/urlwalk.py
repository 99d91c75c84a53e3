"""Every URL pattern of the portal, walked from the root resolver (admin and allauth included)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    key: str  # the pattern's full name ("admin:index"), or its route when it has no name
    route: str  # the pattern as written, prefixes included
    pattern: URLPattern


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if entry.name:
                key = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                key = route
            yield Route(key=key, route=route, pattern=entry)


def all_routes() -> list[Route]:
    routes = list(_walk(get_resolver()))
    seen: dict[str, Route] = {}
    for route in routes:  # Django resolves a name to its last pattern: keep the first seen
        seen.setdefault(route.key, route)
    return list(seen.values())
