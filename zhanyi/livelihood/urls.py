from django.urls import path

from . import homeorder, views

app_name = "livelihood"

urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/<int:facility_id>/", views.facility_detail, name="facility"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("care/", views.care_list, name="care"),
    path("care/<int:care_id>/", views.care_detail, name="care-detail"),
    path("o/", homeorder.enter_code, name="home-order-code"),
    path("o/<str:token>/", homeorder.order_page, name="home-order"),
]
