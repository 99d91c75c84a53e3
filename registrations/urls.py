from django.urls import path

from registrations import views, views_cancellation

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/<str:code>/", views.add_to_cart, name="cart_add"),
    path("cart/remove/<int:item_id>/", views.remove_from_cart, name="cart_remove"),
    path("cart/voucher/", views.apply_voucher, name="cart_voucher"),
    path("cart/voucher/remove/", views.remove_voucher, name="cart_voucher_remove"),
    path("checkout/", views.checkout_page, name="checkout"),
    path("checkout/<int:pk>/", views.checkout_done, name="checkout_done"),
    path("waiting-list/<str:code>/join/", views.join_waiting_list, name="waiting_list_join"),
    path("waiting-list/<int:entry_id>/leave/", views.leave_waiting_list,
         name="waiting_list_leave"),
    path("editions/<str:code>/apply/", views.apply, name="admission_apply"),
    path("applications/<int:pk>/cv/", views.application_cv, name="application_cv"),
    path("registrations/<int:pk>/cancel/", views_cancellation.cancel,
         name="registration_cancel"),
    path("registrations/<int:pk>/changes/<int:notice_id>/", views_cancellation.answer,
         name="change_answer"),
]
