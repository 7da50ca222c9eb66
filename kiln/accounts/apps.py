from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kiln.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        # The admin's own login form checked passwords with no limit at all (100 wrong ones, no
        # refusal). It now sends people to Kiln's login: the same limits, the second factor.
        admin.site.login = secure_admin_login(admin.site.login)
