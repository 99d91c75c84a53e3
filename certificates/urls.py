from django.urls import path

from certificates import views

urlpatterns = [
    path("certificates/<int:pk>/download/", views.download, name="certificate_download"),
    path("certificates/verify/<str:code>/", views.verify, name="certificate_verify"),
    # The registration certificate's address from before the certificates app (dashboard links).
    path("registrations/<int:pk>/certificate/", views.registration_certificate,
         name="registration_certificate"),
]
