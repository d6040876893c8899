from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import ChangePasswordForm, NewPasswordForm, ResetRequestForm, SignInForm

app_name = "accounts"
urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("connexion/", auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.profile, name="profile"),
    path("mes-donnees.json", views.my_data_export, name="my_data_export"),
    path("supprimer/", views.delete_account, name="delete_account"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetRequestForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=NewPasswordForm, success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/termine/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm, success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("mot-de-passe/changer/termine/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
