from django import forms


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        required=False,
        max_length=20,
        label="Two-factor code",
        help_text="Only if two-factor is on: a code from your app, or a recovery code.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    confirm = forms.BooleanField(
        label="I understand that after 30 days my work, posts and messages are deleted for good."
    )
