from django import forms

from kiln.shield.models import WatermarkPreference


class WatermarkForm(forms.Form):
    enabled = forms.BooleanField(required=False, label="Add a visible watermark to my images")
    corner = forms.ChoiceField(
        choices=WatermarkPreference.Corner.choices, widget=forms.RadioSelect, label="Corner"
    )
    opacity = forms.IntegerField(
        min_value=10, max_value=100, label="Opacity (%)", help_text="From 10 to 100."
    )
