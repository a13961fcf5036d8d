from tests.permissions import ViewSpec


def _task(org, user):
    from threadline.core.models import Task

    task = Task.objects.create(name="online.scan", organisation=org, created_by=user, payload={"scan": "0"})
    return {"pk": task.pk}, {}


SPECS = [
    ViewSpec("core:home", None),
    ViewSpec("core:tasks", "caseworker", "auditor"),
    ViewSpec("core:task", "online_analyst", "auditor", make=_task, object_scoped=True),
    ViewSpec(
        "core:task_cancel",
        "online_analyst",
        "auditor",
        method="post",
        make=_task,
        object_scoped=True,
        ok_status=(302,),
    ),
]
