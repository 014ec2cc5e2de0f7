#!/bin/sh
# Liaison container entrypoint: one image, several roles.
#
#   web       gunicorn serving liaison.platform.wsgi (settings: deploy/gunicorn.conf.py)
#   worker    Celery worker (CELERY_WORKER_CONCURRENCY, CELERY_WORKER_MAX_TASKS_PER_CHILD,
#             CELERY_WORKER_QUEUES)
#   beat      Celery beat; run exactly one (schedule file in CELERY_BEAT_SCHEDULE_FILE)
#   migrate   the shared (public) schema first, then every prefecture schema in parallel
#             (django-tenants' multiprocessing executor)
#   anything else is executed as given: `liaison prefecture create --slug lijiang`
#
# Extra arguments after a role are passed on: `worker --queues search`. Celery's start-up
# banner is off (--quiet) so that the output is JSON lines only.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    exec gunicorn --config "$here/gunicorn.conf.py" liaison.platform.wsgi:application "$@"
    ;;
  worker)
    set -- --app liaison.platform.celery --quiet worker \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_WORKER_CONCURRENCY:-2}" \
      --max-tasks-per-child "${CELERY_WORKER_MAX_TASKS_PER_CHILD:-500}" \
      --hostname "worker@%h" \
      --optimization fair --without-gossip --without-mingle "$@"
    if [ -n "${CELERY_WORKER_QUEUES:-}" ]; then
      set -- "$@" --queues "$CELERY_WORKER_QUEUES"
    fi
    exec celery "$@"
    ;;
  beat)
    exec celery --app liaison.platform.celery --quiet beat \
      --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  migrate)
    liaison migrate_schemas --shared --noinput
    exec liaison migrate_schemas --tenant --executor=multiprocessing --noinput "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
