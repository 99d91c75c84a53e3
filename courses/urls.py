from django.urls import path

from courses import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("courses/<slug:slug>/", views.course_detail, name="course_detail"),
    path("editions/<str:code>/", views.edition_detail, name="edition_detail"),
]
