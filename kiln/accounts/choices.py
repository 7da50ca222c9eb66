"""Fixed lists artists pick from. Stored as short slugs so labels can change freely."""

from django.db import models

FIELDS_OF_WORK = [
    ("illustration", "Illustration"),
    ("concept-art", "Concept art"),
    ("painting", "Painting"),
    ("digital-painting", "Digital painting"),
    ("photography", "Photography"),
    ("3d", "3D"),
    ("animation", "Animation"),
    ("comics", "Comics"),
    ("manga", "Manga"),
    ("graphic-design", "Graphic design"),
    ("game-art", "Game art"),
    ("sculpture", "Sculpture"),
    ("tattoo", "Tattoo"),
    ("traditional-art", "Traditional art"),
    ("character-design", "Character design"),
    ("environment-design", "Environment design"),
    ("storyboarding", "Storyboarding"),
    ("pixel-art", "Pixel art"),
    ("printmaking", "Printmaking"),
    ("ceramics", "Ceramics"),
    ("textile-art", "Textile art"),
    ("ui-ux", "UI/UX design"),
    ("motion-graphics", "Motion graphics"),
    ("architecture", "Architecture & visualisation"),
    ("fashion-design", "Fashion design"),
    ("calligraphy", "Calligraphy & lettering"),
    ("vfx", "VFX"),
]
FIELD_LABELS = dict(FIELDS_OF_WORK)


class AvailabilityStatus(models.TextChoices):
    COMMISSIONS = "commissions", "Open for commissions"
    WORK = "work", "Open to work"
    UNAVAILABLE = "unavailable", "Not available"
