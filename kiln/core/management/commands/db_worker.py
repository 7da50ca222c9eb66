"""`manage.py db_worker`: django-tasks' database worker, which first starts Kiln's worker-only
threads (kiln/core/worker.py). It takes the name over because kiln.core is listed before
django_tasks_db in INSTALLED_APPS, so every existing command line keeps working."""

from django_tasks_db.management.commands.db_worker import Command as TasksDbWorkerCommand

from kiln.core.memory import apply_memory_cap
from kiln.core.worker import worker_start


class Command(TasksDbWorkerCommand):
    def handle(self, *args, **options):
        # The worker runs the decoders: cap its memory (kiln/core/memory.py). Its threads
        # (tasks, the media sweeper, the WAL checkpointer) each hold a database connection.
        queues = str(options.get("queue_name") or "")
        apply_memory_cap("cloak" if "cloak" in queues else "worker", connections=3)
        worker_start(worker_id=options.get("worker_id"), queues=queues)
        return super().handle(*args, **options)
