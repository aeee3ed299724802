from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.account, name="account"),
    path("seller/return-address/", views.return_address, name="return_address"),
    path("orders/", views.order_list, name="list"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/confirm-receipt/", views.confirm_receipt, name="confirm_receipt"),
]
