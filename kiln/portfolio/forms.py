"""The project editor's form: scalar fields here; the image list is parsed in views."""

from django import forms

from kiln.accounts.choices import FIELDS_OF_WORK
from kiln.portfolio import services, taxonomy
from kiln.portfolio.models import Project


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=services.TITLE_MAX, required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        strip=False,  # length is checked by the service, after \r\n becomes \n
        help_text="Plain text; links become clickable. Up to 5,000 characters.",
    )
    fields_of_work = forms.MultipleChoiceField(
        choices=FIELDS_OF_WORK, required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        choices=taxonomy.CATEGORIES, required=False, widget=forms.CheckboxSelectMultiple
    )
    software = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated, e.g. Procreate, Blender."
    )
    mediums = forms.CharField(
        required=False, max_length=1000, help_text="Comma-separated, e.g. oil, gouache, ink."
    )
    tags = forms.CharField(required=False, max_length=1000, help_text="Comma-separated.")
    created_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Created on"
    )
    is_mature = forms.BooleanField(required=False, label="Mature content")
    cloak_requested = forms.BooleanField(required=False, label="Cloak this work")
    cloak_intensity = forms.ChoiceField(
        choices=Project.CloakIntensity.choices,
        initial=Project.CloakIntensity.DEFAULT,
        required=False,
    )

    @staticmethod
    def initial_for(project: Project) -> dict:
        labels: dict[str, list] = {}
        for label in project.labels.all():
            labels.setdefault(label.kind, []).append(label)
        return {
            "title": project.title,
            "description": project.description,
            "fields_of_work": [label.slug for label in labels.get("field", [])],
            "categories": [label.slug for label in labels.get("category", [])],
            "software": ", ".join(label.name for label in labels.get("software", [])),
            "mediums": ", ".join(label.name for label in labels.get("medium", [])),
            "tags": ", ".join(label.name for label in labels.get("tag", [])),
            "created_on": project.created_on,
            "is_mature": project.is_mature,
            "cloak_requested": project.cloak_requested,
            "cloak_intensity": project.cloak_intensity,
        }
