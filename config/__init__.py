"""The project's configuration package, also a Django app (config.apps) for its infrastructure commands.

The Celery app (config.celery) is loaded when Django is set up (InfrastructureConfig.ready), so @shared_task
binds to it in every process that may send or run a task; manage.py skips it for the commands that use no
service (help, check, ...), which then do not pay for importing Celery."""
