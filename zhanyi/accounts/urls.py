from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views
from .views import staff, twofactor

app_name = "accounts"

urlpatterns = [
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.me, name="me"),
    path("start/", views.landing, name="landing"),
    path("audit/", views.audit_log, name="audit-log"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user-reset-password"),
    path("users/<int:pk>/password-link/", staff.user_password_link, name="user-password-link"),
    path("users/<int:pk>/reset-2fa/", twofactor.user_reset_two_factor, name="user-reset-2fa"),
    path("2fa/", twofactor.two_factor, name="two-factor"),
    path("staff/", staff.staff_page, name="staff"),
    path("staff/deactivate/", staff.staff_deactivate, name="staff-deactivate"),
    path("staff/imports/<int:staff_import_id>/errors/", staff.staff_errors, name="staff-errors"),
    path(
        "set-password/<str:uidb64>/<str:token>/",
        login_not_required(staff.set_password),
        name="set-password",
    ),
]
