"""`manage.py db_worker`: django-tasks' database worker, which first starts Kiln's worker-only
threads (kiln/core/worker.py). It takes the name over because kiln.core is listed before
django_tasks_db in INSTALLED_APPS, so every existing command line keeps working."""

from django_tasks_db.management.commands.db_worker import Command as TasksDbWorkerCommand

from kiln.core.worker import worker_start


class Command(TasksDbWorkerCommand):
    def handle(self, *args, **options):
        worker_start()
        return super().handle(*args, **options)
