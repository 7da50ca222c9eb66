from allauth.account import forms as allauth_forms
from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from kiln.accounts.choices import FIELDS_OF_WORK, AvailabilityStatus
from kiln.accounts.images import normalise_profile_image
from kiln.accounts.services import MAX_PROFILE_LINKS


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60, required=False)
    bio = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text, up to 500 characters. Links become clickable.",
    )
    pronouns = forms.CharField(max_length=30, required=False)
    location = forms.CharField(max_length=60, required=False)
    fields_of_work = forms.MultipleChoiceField(
        choices=FIELDS_OF_WORK, required=False, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(choices=AvailabilityStatus.choices)
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One link per line, up to {MAX_PROFILE_LINKS}.",
    )
    avatar = forms.FileField(required=False, help_text="JPEG, PNG, WebP or GIF, up to 10 MB.")
    banner = forms.FileField(required=False)

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        if len(lines) > MAX_PROFILE_LINKS:
            raise ValidationError(f"Add at most {MAX_PROFILE_LINKS} links.")
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            if len(line) > 300:
                raise ValidationError("Links must be 300 characters or fewer.")
            try:
                validate(line)
            except ValidationError as exc:
                raise ValidationError(f"“{line[:60]}” is not a web address (https://…).") from exc
        return lines

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        return normalise_profile_image(upload, kind="avatar") if upload else None

    def clean_banner(self):
        upload = self.cleaned_data.get("banner")
        return normalise_profile_image(upload, kind="banner") if upload else None


class ConsentForm(forms.Form):
    allow_search_indexing = forms.BooleanField(
        required=False, label="Let search engines index my profile and projects"
    )
    allow_image_search = forms.BooleanField(
        required=False, label="Show my public images in search-engine image results"
    )
    show_likes_publicly = forms.BooleanField(required=False, label="Show my Likes tab to others")
    show_mature = forms.BooleanField(required=False, label="Show mature work without blurring")


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form, with a label that says what goes in the box."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"
        # A 100,000-character name reached SQLite as a LIKE pattern too complex to run (a
        # 500): no username or address is longer than 254 characters, nor a password 4,096.
        for name, limit in (("login", 254), ("password", 4096)):
            field = self.fields[name]
            field.max_length = limit
            field.validators.append(validators.MaxLengthValidator(limit))
            field.widget.attrs["maxlength"] = str(limit)
