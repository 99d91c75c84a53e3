from django.urls import path

from exams import views

urlpatterns = [
    path("exams/", views.my_exams, name="my_exams"),
    path("exams/<int:enrolment_id>/second-chance/", views.second_chance,
         name="exam_second_chance"),
]
