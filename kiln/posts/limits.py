"""A post's limits, in one place: the services enforce them, the forms, the composer's counter and
the Mastodon-style instance description show them, and the model's column follows them."""

MAX_TEXT_LENGTH = 2000
MAX_IMAGES = 10
MAX_ALT_TEXT = 1500
MAX_CONTENT_WARNING = 200
