from tests.permissions import ViewSpec


def _task(org, user):
    from threadline.core.models import Task

    task = Task.objects.create(name="audit.verify_chain", organisation=org, created_by=user)
    return {"pk": task.pk}, {}


SPECS = [
    ViewSpec("core:home", None),
    ViewSpec("core:tasks", "caseworker", "auditor"),
    ViewSpec("core:task", "supervisor", "auditor", make=_task, object_scoped=True),
    ViewSpec(
        "core:task_cancel",
        "supervisor",
        "auditor",
        method="post",
        make=_task,
        object_scoped=True,
        ok_status=(302,),
    ),
]
