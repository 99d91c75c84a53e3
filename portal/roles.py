"""Staff roles: each is a Django group holding only the permissions its job needs.

Groups are created by data migrations (portal/migrations/0002_roles.py and later ones that add the
permissions of new models); `grant(apps, role_permissions)` is what those migrations call.
"""

COURSE_ADMINISTRATOR = "course administrator"
FINANCE = "finance"
EXAM_COMMITTEE = "exam committee"
ROLES = (COURSE_ADMINISTRATOR, FINANCE, EXAM_COMMITTEE)


def _all(app_label: str, *models: str) -> list[str]:
    return [
        f"{app_label}.{action}_{model}"
        for model in models
        for action in ("add", "change", "delete", "view")
    ]


def _view(app_label: str, *models: str) -> list[str]:
    return [f"{app_label}.view_{model}" for model in models]


CATALOG_MODELS = (
    "organizer",
    "academicyear",
    "course",
    "courseunit",
    "edition",
    "cancellationtier",
    "session",
)

# The permissions as of the foundation; later migrations grant their own models' permissions.
FOUNDATION_PERMISSIONS = {
    COURSE_ADMINISTRATOR: _all("courses", *CATALOG_MODELS)
    + _all("portal", "workemaildomain")
    + _view("portal", "user"),
    FINANCE: _view("courses", "organizer", "course", "edition") + _view("portal", "user"),
    EXAM_COMMITTEE: _view("courses", "academicyear", "course", "courseunit", "edition", "session"),
}


def grant(apps, role_permissions: dict[str, list[str]]) -> None:
    """Create the groups if needed and add the named permissions ("app_label.codename")."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)
