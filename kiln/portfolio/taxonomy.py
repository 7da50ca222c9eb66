"""Categories (a fixed list, like Cara's subjects and genres) and the normalisation of the free
software, medium and tag inputs, so that "procreate", "Procreate " and "PROCREATE" are one tag."""

import re
import unicodedata

from django.utils.text import slugify

# (slug, label): subjects and genres. Slugs are stable; labels may change.
CATEGORIES = [
    ("abstract", "Abstract"),
    ("anatomy", "Anatomy"),
    ("animals", "Animals & wildlife"),
    ("anime-manga", "Anime & manga"),
    ("architecture", "Architecture"),
    ("architectural-concepts", "Architectural concepts"),
    ("armour", "Armour"),
    ("automotive", "Automotive"),
    ("board-card-games", "Board & card game art"),
    ("book-illustration", "Book illustration"),
    ("botanical", "Botanical"),
    ("calligraphy", "Calligraphy"),
    ("cartoon", "Cartoon"),
    ("character-design", "Character design"),
    ("character-modeling", "Character modelling"),
    ("childrens-art", "Children's art"),
    ("cityscapes", "Cityscapes"),
    ("comic-art", "Comic art"),
    ("concept-art", "Concept art"),
    ("cosplay", "Cosplay"),
    ("costume-design", "Costume design"),
    ("creatures", "Creatures"),
    ("cute", "Cute"),
    ("cyberpunk", "Cyberpunk"),
    ("dark-fantasy", "Dark fantasy"),
    ("design", "Design"),
    ("dragons", "Dragons"),
    ("editorial", "Editorial illustration"),
    ("environments", "Environments"),
    ("fan-art", "Fan art"),
    ("fantasy", "Fantasy"),
    ("fashion", "Fashion"),
    ("figure-drawing", "Figure drawing"),
    ("fine-art", "Fine art"),
    ("food", "Food"),
    ("furniture", "Furniture"),
    ("game-art", "Game art"),
    ("gesture", "Gesture"),
    ("gothic", "Gothic"),
    ("graffiti", "Graffiti & street art"),
    ("hard-surface", "Hard surface"),
    ("historical", "Historical"),
    ("horror", "Horror"),
    ("icons", "Icons"),
    ("interiors", "Interiors"),
    ("isometric", "Isometric"),
    ("jewellery", "Jewellery"),
    ("key-art", "Key art"),
    ("landscapes", "Landscapes"),
    ("lettering", "Lettering"),
    ("lighting", "Lighting"),
    ("logos", "Logos & branding"),
    ("low-poly", "Low poly"),
    ("marine", "Marine & underwater"),
    ("matte-painting", "Matte painting"),
    ("mecha", "Mecha"),
    ("medical", "Medical & scientific"),
    ("military", "Military"),
    ("minimalism", "Minimalism"),
    ("monsters", "Monsters"),
    ("mythology", "Mythology"),
    ("nature", "Nature"),
    ("noir", "Noir"),
    ("nudity", "Figurative nudes"),
    ("packaging", "Packaging"),
    ("patterns", "Patterns"),
    ("people", "People"),
    ("photorealism", "Photorealism"),
    ("plein-air", "Plein air"),
    ("pop-art", "Pop art"),
    ("portraits", "Portraits"),
    ("post-apocalyptic", "Post-apocalyptic"),
    ("posters", "Posters"),
    ("props", "Props"),
    ("realism", "Realism"),
    ("retro", "Retro"),
    ("robots", "Robots"),
    ("romance", "Romance"),
    ("science-fiction", "Science fiction"),
    ("scientific-illustration", "Scientific illustration"),
    ("seascapes", "Seascapes"),
    ("self-portraits", "Self-portraits"),
    ("sketches", "Sketches"),
    ("space", "Space"),
    ("sports", "Sports"),
    ("steampunk", "Steampunk"),
    ("still-life", "Still life"),
    ("storyboards", "Storyboards"),
    ("studies", "Studies"),
    ("surreal", "Surreal"),
    ("textures", "Textures & materials"),
    ("toys", "Toys & collectibles"),
    ("typography", "Typography"),
    ("ui", "User interface"),
    ("urban", "Urban"),
    ("vehicles", "Vehicles"),
    ("visual-development", "Visual development"),
    ("weapons", "Weapons"),
    ("western", "Western"),
    ("wildlife", "Wildlife"),
    ("wip", "Work in progress"),
]
CATEGORY_LABELS = dict(CATEGORIES)

# Lower-cased spellings -> the canonical name. Unknown names are kept as typed (tidied).
SOFTWARE = {
    "Adobe Illustrator": ["illustrator", "ai", "adobe illustrator"],
    "Adobe Photoshop": ["photoshop", "ps", "adobe photoshop"],
    "Adobe After Effects": ["after effects", "ae"],
    "Adobe Fresco": ["fresco"],
    "Affinity Designer": ["affinity designer"],
    "Affinity Photo": ["affinity photo"],
    "Aseprite": ["aseprite"],
    "Blender": ["blender", "blender3d", "blender 3d"],
    "Cinema 4D": ["cinema 4d", "c4d", "cinema4d"],
    "Clip Studio Paint": ["clip studio paint", "clip studio", "csp", "manga studio"],
    "Corel Painter": ["corel painter", "painter"],
    "Houdini": ["houdini"],
    "Inkscape": ["inkscape"],
    "Keyshot": ["keyshot"],
    "Krita": ["krita"],
    "Marmoset Toolbag": ["marmoset", "marmoset toolbag"],
    "Maya": ["maya", "autodesk maya"],
    "3ds Max": ["3ds max", "3dsmax", "max"],
    "MediBang Paint": ["medibang", "medibang paint"],
    "Nomad Sculpt": ["nomad", "nomad sculpt"],
    "Paint Tool SAI": ["sai", "paint tool sai", "painttool sai"],
    "Procreate": ["procreate"],
    "Rebelle": ["rebelle"],
    "Substance 3D Painter": ["substance painter", "substance 3d painter", "substance"],
    "Unreal Engine": ["unreal", "unreal engine", "ue5", "ue4"],
    "Unity": ["unity"],
    "ZBrush": ["zbrush"],
    "GIMP": ["gimp"],
}
MEDIUMS = {
    "Acrylic paint": ["acrylic", "acrylics", "acrylic paint"],
    "Charcoal": ["charcoal"],
    "Coloured pencil": ["coloured pencil", "colored pencil", "coloured pencils", "colored pencils"],
    "Ceramic": ["ceramic", "ceramics", "clay"],
    "Digital": ["digital"],
    "Gouache": ["gouache"],
    "Graphite": ["graphite", "pencil"],
    "Ink": ["ink", "india ink", "inks"],
    "Linocut": ["linocut", "lino"],
    "Markers": ["marker", "markers", "copic", "copics"],
    "Oil paint": ["oil", "oils", "oil paint", "oil painting", "oil on canvas"],
    "Pastel": ["pastel", "pastels", "soft pastel", "oil pastel"],
    "Photography": ["photo", "photography", "film"],
    "Watercolour": ["watercolour", "watercolor", "watercolours", "watercolors"],
    "Wood": ["wood", "woodcut"],
}


def _alias_table(canonical: dict[str, list[str]]) -> dict[str, str]:
    table = {}
    for name, aliases in canonical.items():
        table[name.lower()] = name
        for alias in aliases:
            table[alias] = name
    return table


SOFTWARE_ALIASES = _alias_table(SOFTWARE)
MEDIUM_ALIASES = _alias_table(MEDIUMS)

NAME_MAX = 40
TAG_RE = re.compile(r"^[\w-]{1,40}$")


def _tidy(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"\s+", " ", text).strip()


def normalise_named(raw: str, aliases: dict[str, str]) -> tuple[str, str] | None:
    """'  procreate ' -> ('procreate', 'Procreate'); unknown names keep their own spelling,
    with the first letter capitalised. Returns None for blanks; raises ValueError when too long."""
    name = _tidy(raw)
    if not name:
        return None
    if len(name) > NAME_MAX:
        raise ValueError(f"“{name[:20]}…” is longer than {NAME_MAX} characters.")
    canonical = aliases.get(name.lower())
    if canonical is None:
        canonical = name[0].upper() + name[1:]
    slug = slugify(canonical)
    if not slug:
        raise ValueError(f"“{name}” needs at least one letter or digit.")
    return slug, canonical


def normalise_tag(raw: str) -> tuple[str, str] | None:
    """Free tags: '#Dragon Art' -> ('dragon-art', 'dragon-art'). Letters, digits, - and _."""
    text = _tidy(raw).lstrip("#").strip().lower()
    if not text:
        return None
    text = re.sub(r"\s+", "-", text)
    if not TAG_RE.match(text):
        raise ValueError(f"Tags use letters, digits, - and _ (up to {NAME_MAX}): “{text[:40]}”.")
    return text, text


def split_list(raw: str | list[str]) -> list[str]:
    """Comma- or newline-separated text (what a form sends) -> a list of raw items."""
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw]
    return [part for part in re.split(r"[,\n]", raw or "") if part.strip()]
