"""Forms parse types only; the rules (and their messages) live in the services."""

from django import forms

from kiln.accounts.choices import FIELDS_OF_WORK
from kiln.hiring.models import CommissionSheet, JobListing


def _blank(choices):
    return [("", "Choose…"), *choices]


class JobListingForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    organisation = forms.CharField(label="Studio or client", max_length=120, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    fields_of_work = forms.MultipleChoiceField(
        label="Fields of work",
        choices=FIELDS_OF_WORK,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    role_type = forms.ChoiceField(
        label="Role type", choices=_blank(JobListing.RoleType.choices), required=False
    )
    workplace = forms.ChoiceField(
        label="Where", choices=_blank(JobListing.Workplace.choices), required=False
    )
    location = forms.CharField(max_length=100, required=False)
    pay_min = forms.IntegerField(label="Pay from", min_value=0, required=False)
    pay_max = forms.IntegerField(label="Pay up to", min_value=0, required=False)
    currency = forms.CharField(max_length=3, required=False, initial="EUR")
    pay_period = forms.ChoiceField(
        label="Pay period", choices=JobListing.PayPeriod.choices, required=False
    )
    deadline = forms.DateField(
        label="Closing date", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    apply_method = forms.ChoiceField(
        label="How to apply",
        choices=JobListing.ApplyMethod.choices,
        widget=forms.RadioSelect,
        initial=JobListing.ApplyMethod.KILN,
        required=False,
    )
    apply_url = forms.URLField(label="Application link", required=False)
    human_made = forms.BooleanField(
        label="The work will be made by people. This is not AI prompting or training-data work.",
        required=False,
    )


class JobApplicationForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 2000}), required=False
    )


class CommissionSheetForm(forms.Form):
    status = forms.ChoiceField(choices=CommissionSheet.Status.choices)
    slots = forms.IntegerField(label="Open slots", min_value=0, max_value=50)
    terms = forms.CharField(
        label="Terms and licence", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    payment_url = forms.URLField(label="Payment link (paid outside Kiln)", required=False)


class CommissionTierForm(forms.Form):
    name = forms.CharField(max_length=80, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    price_from = forms.IntegerField(label="Price from", min_value=0, required=False)
    currency = forms.CharField(max_length=3, required=False, initial="EUR")
    turnaround_days = forms.IntegerField(label="Turnaround (days)", min_value=0, required=False)


class CommissionRequestForm(forms.Form):
    tier = forms.ChoiceField(choices=(), required=False)
    brief = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    budget = forms.IntegerField(min_value=0, required=False)
    wished_date = forms.DateField(
        label="Wished date", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [(str(t.pk), t.name) for t in tiers]
