from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm, UserCreationForm

from accounts import throttle
from accounts.models import User
from catalyseur.forms import DescribedErrorsMixin


class SignUpForm(DescribedErrorsMixin, UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")
        labels = {"email": "Adresse e-mail", "display_name": "Nom affiché (facultatif)"}
        help_texts = {"display_name": "Affiché avec les fiches que vous contribuez et vos territoires de projet publics ; "
                                      "sans nom, c'est « Membre n° » suivi d'un numéro qui s'affiche, jamais votre adresse e-mail."}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse e-mail.")
        return email


class SignInForm(DescribedErrorsMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez les deux champs (le mot de passe tient compte des majuscules).",
    }
    username = forms.EmailField(label="Adresse e-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request)
        minutes = throttle.wait_minutes(email, ip)
        if minutes:
            raise forms.ValidationError(
                f"Trop de tentatives de connexion : réessayez dans {minutes} minute{'s' if minutes > 1 else ''}, "
                "ou utilisez « Mot de passe oublié ».", code="throttled")
        try:
            data = super().clean()
        except forms.ValidationError:
            if email:
                throttle.record_failure(email, ip)
            raise
        throttle.record_success(email)
        return data


class ResetRequestForm(DescribedErrorsMixin, PasswordResetForm):
    pass


class NewPasswordForm(DescribedErrorsMixin, SetPasswordForm):
    pass


class ChangePasswordForm(DescribedErrorsMixin, PasswordChangeForm):
    pass


class DeleteAccountForm(DescribedErrorsMixin, forms.Form):
    """Deleting one's account asks for the password again (a borrowed, signed-in browser is
    not enough). Wrong passwords count as failed sign-ins, so guessing is slowed down too."""

    password = forms.CharField(
        label="Votre mot de passe", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Pour confirmer que c'est bien vous.",
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user, self.request = user, request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        ip = throttle.client_ip(self.request)
        minutes = throttle.wait_minutes(self.user.email, ip)
        if minutes:
            raise forms.ValidationError(
                f"Trop de tentatives : réessayez dans {minutes} minute{'s' if minutes > 1 else ''}.", code="throttled")
        if not self.user.check_password(password):
            throttle.record_failure(self.user.email, ip)
            raise forms.ValidationError("Mot de passe incorrect : votre compte n'a pas été supprimé.", code="wrong_password")
        return password
