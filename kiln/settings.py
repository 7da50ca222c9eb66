"""Kiln settings: every value comes from the environment, with defaults for local development.

`make run` needs no variables at all. Production sets DEBUG=0, which turns on every strict check
(a real SECRET_KEY, explicit ALLOWED_HOSTS, secure cookies, HSTS).
"""

import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

import kiln

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything Kiln writes at run time (SQLite file, local media, generated dev key) lives here.
VAR_DIR = Path(os.environ.get("KILN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Kiln's release: part of the key of HTML shared between processes (kiln/core/templateversion.py).
KILN_RELEASE = os.environ.get("KILN_RELEASE", kiln.__version__)

# DEBUG: development conveniences (detailed error pages that list every route). `make run`
# serves with DEBUG=0 and Kiln's own error pages; `make dev` turns it on for engineers.
DEBUG = env_bool("DEBUG", True)
# KILN_LOCAL_HTTP: served over plain HTTP on this machine (`make run` on a newcomer's laptop):
# cookies without the Secure flag, no HSTS, a secret key and host list made for localhost.
# Production (DEBUG=0 behind TLS) leaves it off, and every strict check applies.
LOCAL_HTTP = env_bool("KILN_LOCAL_HTTP", DEBUG)


def _secret_key() -> str:
    """A real key from the environment; in development, one generated once and kept in var/."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if not LOCAL_HTTP and (len(key) < 32 or key.startswith("django-insecure")):
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 random characters.")
        return key
    if not LOCAL_HTTP:
        raise ImproperlyConfigured("DEBUG=0 needs a SECRET_KEY in the environment.")
    key_file = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


# SECRET_KEY: signs sessions, tokens and rendition URLs.
SECRET_KEY = _secret_key()

# ALLOWED_HOSTS: comma-separated host names. Required when DEBUG=0.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if LOCAL_HTTP else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DEBUG=0 needs ALLOWED_HOSTS (comma-separated) in the environment.")
# KILN_SITE_URL: the public origin, used in emails, XMP rights statements and the TDM policy.
KILN_SITE_URL = os.environ.get("KILN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# KILN_SITE_NAME: the name emails and page titles use for this server (never its host name).
KILN_SITE_NAME = os.environ.get("KILN_SITE_NAME", "Kiln").strip() or "Kiln"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    # Before django_tasks_db: Kiln's `db_worker` command wraps its own (kiln/core/worker.py).
    "kiln.core",
    "django_tasks",
    "django_tasks_db",
    "kiln.accounts",
    "kiln.social",
    "kiln.media",
    "kiln.portfolio",
    "kiln.posts",
    "kiln.timelines",
    "kiln.notifications",
    "kiln.shield",
    "kiln.cloak",
    "kiln.provenance",
    "kiln.messages",
    "kiln.hiring",
    "kiln.moderation",
    "kiln.search",
    "oauth2_provider",
    "kiln.api",
    "kiln.transfer",
    "kiln.insights",
    "kiln.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The shield before WhiteNoise, so static files are covered too (AI crawler 403s, headers).
    "kiln.shield.middleware.ShieldMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kiln.shield.middleware.ShieldAccountMiddleware",  # per-account rate limits and bans
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kiln.core.csp.KilnCSPMiddleware",  # django-csp, its policy built once
    "allauth.account.middleware.AccountMiddleware",
    # Last: counts a page view once the answer is known (kiln/insights/counting.py).
    "kiln.insights.middleware.InsightsMiddleware",
]

ROOT_URLCONF = "kiln.urls"
WSGI_APPLICATION = "kiln.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kiln.site.context_processors.site",
            ],
        },
    },
]

# DATABASE_URL: e.g. postgres://user@host:5432/kiln. Default: SQLite in WAL mode under var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The hot-path reads in kiln/core/fastdb.py run as prepared statements (planning the
        # timeline query costs 10x running it). Nothing is prepared automatically: the
        # threshold is never reached by Django's own client-side-bound queries. Behind
        # PgBouncer, use session pooling or max_prepared_statements (1.21+).
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1_000_000_000
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, waiting for the write lock without backing off.
            "ENGINE": "kiln.core.sqlite",
            "NAME": VAR_DIR / "kiln.sqlite3",
            # Opening the file and running the PRAGMAs below cost more than a page's queries:
            # keep each thread's connection (checked before reuse) instead of one per request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions. mmap: reads
                # come straight from the OS page cache, shared by every process, instead of a
                # read() call and a copy into each connection's own 2 MB page cache (on the
                # 850 MB benchmark database a signed-in page took 1.4 ms that way).
                # wal_autocheckpoint: the worker checkpoints each second (kiln/core/
                # checkpoints.py); a request does so only past this many log pages.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=0;"
                    f" PRAGMA mmap_size={env_int('KILN_SQLITE_MMAP_BYTES', 1 << 30)};"
                    f" PRAGMA wal_autocheckpoint={env_int('KILN_SQLITE_CHECKPOINT_PAGES', 16384)};"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# KILN_DB_REPLICA_URL: a streaming read replica of DATABASE_URL. Safe reads in web requests go
# there; writes, workers and a client's reads for KILN_DB_PIN_SECONDS after it wrote stay on
# the primary (kiln/core/dbrouter.py). Unset: one database, no router.
KILN_DB_REPLICA_URL = os.environ.get("KILN_DB_REPLICA_URL", "")
KILN_DB_PIN_SECONDS = env_int("KILN_DB_PIN_SECONDS", 5)
KILN_DB_REPLICA_RETRY_SECONDS = env_int("KILN_DB_REPLICA_RETRY_SECONDS", 5)
if KILN_DB_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(KILN_DB_REPLICA_URL, conn_max_age=60),
        "CONN_HEALTH_CHECKS": True,  # a stopped replica is noticed at the next request
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["kiln.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "kiln.core.dbrouter.ReplicaMiddleware",
    )

# REDIS_URL: cache, counters and rate limits shared between processes. Default: local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        # Django's Redis cache, sharing one client per pool (kiln/core/cache.py).
        "default": {"BACKEND": "kiln.core.cache.KilnRedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions: read through Redis when it is there (one query saved on every logged-in request).
# Not with the per-process local-memory cache: a logout in one worker would leave the session
# alive in another worker's cache.
SESSION_ENGINE = "kiln.accounts.sessions.cached_db" if REDIS_URL else "kiln.accounts.sessions.db"

# Background work: the Django Tasks API on the database backend; the worker is `db_worker`.
# Queues: "default" (renditions, fan-out), "cloak" (slow adversarial cloaking, its own worker so
# thumbnails are never starved), "low" (backfills and trims).
KILN_TASK_QUEUES = ["default", "cloak", "low"]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KILN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": KILN_TASK_QUEUES,
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends with a prepared get_user (kiln/site/auth_backends.py).
    "kiln.site.auth_backends.KilnModelBackend",
    "kiln.site.auth_backends.KilnAllauthBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: sign-up with email + username, mandatory verification, TOTP with recovery codes.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "kiln.accounts.validators.username_validators"
# kiln.transfer's adapter: a deactivated account, or one scheduled for deletion, can come back.
ACCOUNT_ADAPTER = "kiln.transfer.adapters.TransferAccountAdapter"
# Changing the address verifies the new one before it replaces the old, which gets a notice.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_FORMS = {"login": "kiln.accounts.forms.LoginForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kiln] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if LOCAL_HTTP else "https"
# Rate limits (allauth's own, kept in the cache): "count/period/key". Password checks follow
# Kiln's login limits instead (kiln/accounts/login_limits.py: per address, per account and
# address, the account slowed, known devices let in), so allauth's "login" and "login_failed"
# are off: a per-address limit on the form would refuse a known device behind an attacker's NAT.
ACCOUNT_RATE_LIMITS = {
    "login": "",
    "login_failed": "",
    "signup": os.environ.get("KILN_RATE_SIGNUP", "20/m/ip"),
    "reset_password": os.environ.get("KILN_RATE_RESET", "20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
# KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR: confirmation emails sent to one mail domain an hour
# (a sign-up flood from many addresses must not make Kiln spam one mail server).
KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR = env_int("KILN_VERIFICATION_EMAILS_PER_DOMAIN_HOUR", 30)
# KILN_LOGIN_PER_IP: password checks a minute from one client address (kiln/accounts/
# login_limits.py). A setting for load tests, where one address stands in for thousands.
KILN_LOGIN_PER_IP = (env_int("KILN_LOGIN_PER_IP", 10), 60)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kiln"

# Leaving (kiln.transfer): days before a deletion request is carried out, days a deleted
# account's username stays unavailable, days an export can be downloaded.
KILN_DELETION_GRACE_DAYS = int(os.environ.get("KILN_DELETION_GRACE_DAYS", "30"))
KILN_RETIRED_USERNAME_DAYS = int(os.environ.get("KILN_RETIRED_USERNAME_DAYS", "30"))
KILN_EXPORT_DAYS = int(os.environ.get("KILN_EXPORT_DAYS", "7"))
# Instagram import: archive size, entries, unpacked size and per-file compression ratio caps.
KILN_IMPORT_MAX_BYTES = int(os.environ.get("KILN_IMPORT_MAX_BYTES", str(20 * 1024**3)))
KILN_IMPORT_MAX_ENTRIES = int(os.environ.get("KILN_IMPORT_MAX_ENTRIES", "100000"))
KILN_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("KILN_IMPORT_MAX_UNPACKED_BYTES", str(40 * 1024**3))
)
KILN_IMPORT_MAX_RATIO = int(os.environ.get("KILN_IMPORT_MAX_RATIO", "100"))
KILN_IMPORT_CHUNK_BYTES = 8 * 1024 * 1024  # the browser sends the archive in pieces this size
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

# Email: console in development; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Kiln <noreply@kiln.local>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# KILN_MEDIA_ROOT: where public renditions ("media") and private originals live locally.
MEDIA_ROOT = Path(os.environ.get("KILN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    # Public renditions. Served through Kiln's own view so the shield applies to every byte.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "public", "base_url": MEDIA_URL},
    },
    # Originals: never served to anyone, the owner included.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "private", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "kiln.core.staticfiles.CachedURLManifestStaticFilesStorage"
        )
    },
}
# KILN_S3_BUCKET (+ KILN_S3_ENDPOINT_URL, KILN_S3_REGION, AWS_ACCESS_KEY_ID,
# AWS_SECRET_ACCESS_KEY): keep media in S3 (or any S3-compatible store) instead of local files.
KILN_S3_BUCKET = os.environ.get("KILN_S3_BUCKET", "")
# KILN_S3_TIMEOUT_SECONDS: how long a store's answer is awaited before one retry, then a clear
# refusal (kiln/core/s3.py says why it is short).
KILN_S3_TIMEOUT_SECONDS = env_int("KILN_S3_TIMEOUT_SECONDS", 10)
if KILN_S3_BUCKET:
    from kiln.core.s3 import s3_storages

    STORAGES.update(
        s3_storages(
            bucket=KILN_S3_BUCKET,
            endpoint_url=os.environ.get("KILN_S3_ENDPOINT_URL") or None,
            region_name=os.environ.get("KILN_S3_REGION") or None,
            timeout_seconds=KILN_S3_TIMEOUT_SECONDS,
        )
    )

# KILN_MEDIA_ACCEL_PREFIX: behind nginx, rendition bytes are sent by nginx from this internal
# location (X-Accel-Redirect + the storage key) after Kiln's checks; deploy/nginx.conf.template
# maps it to the bucket or the disk. Empty (default): Kiln streams the bytes itself.
KILN_MEDIA_ACCEL_PREFIX = os.environ.get("KILN_MEDIA_ACCEL_PREFIX", "")

# --- Media pipeline (kiln.media). Every limit is checked in the upload request. ---
# KILN_MEDIA_MAX_BYTES: largest upload accepted, in bytes (default 50 MB).
KILN_MEDIA_MAX_BYTES = env_int("KILN_MEDIA_MAX_BYTES", 50 * 1024 * 1024)
# KILN_MEDIA_MAX_PIXELS: largest image, width x height (default 100 megapixels).
KILN_MEDIA_MAX_PIXELS = env_int("KILN_MEDIA_MAX_PIXELS", 100_000_000)
# KILN_MEDIA_MAX_SIDE: largest width, and largest height, each on its own (default 30,000 px).
KILN_MEDIA_MAX_SIDE = env_int("KILN_MEDIA_MAX_SIDE", 30_000)
# KILN_MEDIA_MAX_FRAMES: most frames in an animation (default 1,000).
KILN_MEDIA_MAX_FRAMES = env_int("KILN_MEDIA_MAX_FRAMES", 1000)
# KILN_MEDIA_MAX_ANIMATION_PIXELS: width x height x frames of an animation (default 150 MP).
KILN_MEDIA_MAX_ANIMATION_PIXELS = env_int("KILN_MEDIA_MAX_ANIMATION_PIXELS", 150_000_000)
# KILN_MEDIA_MAX_TEXT_BYTES: most text metadata a PNG may inflate to, all chunks together (16 MB).
KILN_MEDIA_MAX_TEXT_BYTES = env_int("KILN_MEDIA_MAX_TEXT_BYTES", 16 * 1024 * 1024)
# KILN_MEDIA_QUOTA_BYTES: originals one account may keep, all uploads together (default 5 GB;
# 0 = no quota).
KILN_MEDIA_QUOTA_BYTES = env_int("KILN_MEDIA_QUOTA_BYTES", 5 * 1024**3)
# KILN_MEDIA_WIDTHS: rendition widths in px, comma-separated; never upscaled.
KILN_MEDIA_WIDTHS = [int(w) for w in env_list("KILN_MEDIA_WIDTHS", ["320", "640", "1280", "2048"])]
# KILN_MEDIA_QUALITY_{JPEG,WEBP,AVIF}: encoder quality, tuned by bench/ingest.py for equal SSIM.
KILN_MEDIA_QUALITY_JPEG = env_int("KILN_MEDIA_QUALITY_JPEG", 85)
KILN_MEDIA_QUALITY_WEBP = env_int("KILN_MEDIA_QUALITY_WEBP", 87)
KILN_MEDIA_QUALITY_AVIF = env_int("KILN_MEDIA_QUALITY_AVIF", 67)
# KILN_MEDIA_C2PA: embed a signed C2PA manifest (AI training and mining "notAllowed", the
# artist as author) in every rendition; about 4 KB and 10 ms each (docs/decisions/shield.md).
KILN_MEDIA_C2PA = env_bool("KILN_MEDIA_C2PA", True)
# KILN_C2PA_CERT_CHAIN, KILN_C2PA_PRIVATE_KEY: PEM files of the instance's signing certificate
# chain and key; unset, a CA and signer are generated once under var/shield/c2pa/.
KILN_C2PA_CERT_CHAIN = os.environ.get("KILN_C2PA_CERT_CHAIN", "")
KILN_C2PA_PRIVATE_KEY = os.environ.get("KILN_C2PA_PRIVATE_KEY", "")
# KILN_MEDIA_LEASE_SECONDS: how long a worker may hold an asset before the sweeper retakes it.
KILN_MEDIA_LEASE_SECONDS = env_int("KILN_MEDIA_LEASE_SECONDS", 300)
# KILN_MEDIA_MAX_ATTEMPTS: processing tries before an asset is marked failed.
KILN_MEDIA_MAX_ATTEMPTS = env_int("KILN_MEDIA_MAX_ATTEMPTS", 3)
# KILN_MEDIA_URL_LIFETIME: seconds a rendition URL keeps working (default 7 days; 0 = forever).
KILN_MEDIA_URL_LIFETIME = env_int("KILN_MEDIA_URL_LIFETIME", 7 * 24 * 3600)

# KILN_MODELS_DIR: encoder weights for the cloak (`python manage.py fetch_models`).
KILN_MODELS_DIR = Path(os.environ.get("KILN_MODELS_DIR", VAR_DIR / "models"))

# KILN_ADMIN_PATH: the Django admin lives at an unguessable path. Default: derived from the key.
KILN_ADMIN_PATH = os.environ.get(
    "KILN_ADMIN_PATH", "staff-" + hashlib.sha256(SECRET_KEY.encode()).hexdigest()[:16]
).strip("/")

# Security headers. Cookies are secure and HSTS is on unless served over local plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not LOCAL_HTTP
CSRF_COOKIE_SECURE = not LOCAL_HTTP
SECURE_HSTS_SECONDS = 0 if LOCAL_HTTP else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not LOCAL_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# KILN_TRUSTED_PROXIES: comma-separated proxy IPs whose X-Forwarded-* headers are believed.
KILN_TRUSTED_PROXIES = env_list("KILN_TRUSTED_PROXIES", [])
if KILN_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The shield (kiln/shield/conf.py has the defaults).
# KILN_EXTRA_AI_CRAWLERS: comma-separated user-agent tokens refused on top of the shipped list.
KILN_EXTRA_AI_CRAWLERS = env_list("KILN_EXTRA_AI_CRAWLERS", [])
# KILN_RATE_PAGES / KILN_RATE_RENDITIONS: requests per client IP (and per account) per window.
KILN_RATE_PAGES = env_int("KILN_RATE_PAGES", 240)
KILN_RATE_RENDITIONS = env_int("KILN_RATE_RENDITIONS", 300)
KILN_RATE_WINDOW_SECONDS = env_int("KILN_RATE_WINDOW_SECONDS", 60)
# KILN_RATE_SEARCH / KILN_RATE_SUGGEST: searches and autocomplete requests per client and window
# (on top of the page limit: a search costs more than a page).
KILN_RATE_SEARCH = env_int("KILN_RATE_SEARCH", 60)
KILN_RATE_SUGGEST = env_int("KILN_RATE_SUGGEST", 180)
# KILN_HONEYPOT_BAN_SECONDS: how long a client (address + user agent) that follows the hidden
# trap link loses images; 0 turns bans off. Admins see and lift bans in the admin.
KILN_HONEYPOT_BAN_SECONDS = env_int("KILN_HONEYPOT_BAN_SECONDS", 3600)
# KILN_SHIELD_STORE: the SQLite file holding rate counters and bans for every process when
# there is no Redis (REDIS_URL). Default: var/shield/limits.sqlite3.
KILN_SHIELD_STORE = os.environ.get("KILN_SHIELD_STORE", str(VAR_DIR / "shield" / "limits.sqlite3"))

# Content security policy: only Kiln's own scripts and styles; images from self (and the
# media CDN when one is configured).
KILN_MEDIA_ORIGIN = os.environ.get("KILN_MEDIA_ORIGIN", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *([KILN_MEDIA_ORIGIN] if KILN_MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # Portfolio embeds (kiln/portfolio/embeds.py builds every iframe src on these only).
        "frame-src": [
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://sketchfab.com",
        ],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "kiln": {"handlers": ["console"], "level": os.environ.get("KILN_LOG_LEVEL", "INFO")},
        "django_tasks": {"handlers": ["console"], "level": "INFO"},
    },
}

# Timelines (kiln.timelines). KILN_TIMELINE_INACTIVE_DAYS: fan-out skips followers who have not
# read their home timeline for this many days; their timeline is rebuilt when they return.
KILN_TIMELINE_INACTIVE_DAYS = env_int("KILN_TIMELINE_INACTIVE_DAYS", 14)
# KILN_TIMELINE_MAX_ENTRIES: each user's timeline is trimmed to about this many entries.
KILN_TIMELINE_MAX_ENTRIES = env_int("KILN_TIMELINE_MAX_ENTRIES", 800)
# KILN_TIMELINE_FANOUT_BATCH: followers written per fan-out batch (one INSERT ... SELECT).
KILN_TIMELINE_FANOUT_BATCH = env_int("KILN_TIMELINE_FANOUT_BATCH", 1000)
# KILN_TIMELINE_FANOUT_INLINE_SECONDS: batches run inside the fan-out task for this long; the
# rest are enqueued one task per batch, so a very large account never pins one worker.
KILN_TIMELINE_FANOUT_INLINE_SECONDS = float(
    os.environ.get("KILN_TIMELINE_FANOUT_INLINE_SECONDS", "1.0")
)
# KILN_TIMELINE_TRIM_EVERY: one post in N (by id) schedules a trim of the timelines it reached.
KILN_TIMELINE_TRIM_EVERY = env_int("KILN_TIMELINE_TRIM_EVERY", 20)
# KILN_TIMELINE_BACKFILL: how many of an account's newest posts a new follower receives.
KILN_TIMELINE_BACKFILL = env_int("KILN_TIMELINE_BACKFILL", 100)
# KILN_TIMELINE_ACTIVE_THROTTLE: seconds between writes of a reader's last_active_at.
KILN_TIMELINE_ACTIVE_THROTTLE = env_int("KILN_TIMELINE_ACTIVE_THROTTLE", 300)

# Jobs board (kiln.hiring). KILN_JOBS_MAX_ACTIVE: published, unexpired listings an account may
# have at once (a brake on spam).
KILN_JOBS_MAX_ACTIVE = env_int("KILN_JOBS_MAX_ACTIVE", 5)

# --- Mastodon client API (kiln.api) ----------------------------------------------------------
# Client apps are Kiln's own model (several grant types, custom redirect schemes, scopes).
OAUTH2_PROVIDER_APPLICATION_MODEL = "api.ClientApp"
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "kiln.api.scopes.AppScopes",
    "SCOPES": {},  # filled from kiln.api.scopes.SCOPES by the backend
    # Tokens are kept only as a SHA-256 checksum (RFC 9700 token storage).
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # Mastodon clients never refresh: a token lasts a year unless revoked (docs/decisions.md).
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("KILN_API_TOKEN_SECONDS", 365 * 24 * 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": False,  # Mastodon apps mostly send none; S256 is checked when they do
    "REQUEST_APPROVAL_PROMPT": "force",
    "ROTATE_REFRESH_TOKEN": True,
}
# KILN_API_RATE: requests per 5 minutes for each token, and for each IP without one
# (Mastodon's defaults: 300 per 5 minutes).
KILN_API_RATE_TOKEN = env_int("KILN_API_RATE_TOKEN", 300)
KILN_API_RATE_IP = env_int("KILN_API_RATE_IP", 300)
# The streaming API (kiln/api/streaming.py, its own ASGI process). KILN_STREAMING_URL: where
# clients reach it, as /api/v1/instance advertises it (empty: this site's own address, which
# nginx routes to it). A heartbeat every KILN_STREAMING_HEARTBEAT seconds; at most
# KILN_STREAMING_PER_TOKEN open connections per token (counted in Redis across every
# streaming process when REDIS_URL is set: kiln/api/stream_slots.py); without Redis the
# process polls the database every KILN_STREAMING_POLL seconds.
KILN_STREAMING_URL = os.environ.get("KILN_STREAMING_URL", "").rstrip("/")
KILN_STREAMING_HEARTBEAT = float(os.environ.get("KILN_STREAMING_HEARTBEAT", "15"))
KILN_STREAMING_PER_TOKEN = env_int("KILN_STREAMING_PER_TOKEN", 8)
KILN_STREAMING_POLL = float(os.environ.get("KILN_STREAMING_POLL", "0.5"))

# Moderation (kiln.moderation). KILN_MODERATION_REPORTS_PER_HOUR: reports one member (or, for
# the public notice form, one client address) may send an hour; duplicates of one item merge.
KILN_MODERATION_REPORTS_PER_HOUR = env_int("KILN_MODERATION_REPORTS_PER_HOUR", 20)
