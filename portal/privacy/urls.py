from django.urls import path

from portal.privacy import views

urlpatterns = [
    path("dashboard/privacy/", views.privacy, name="privacy"),
    path("dashboard/privacy/export/", views.export, name="privacy_export"),
    path("dashboard/privacy/withdraw/<int:pk>/", views.withdraw, name="privacy_withdraw"),
]
