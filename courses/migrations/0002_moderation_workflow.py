"""Set up the moderation workflow: a senior instructor approves curriculum pages before they go live."""

from django.db import migrations

WORKFLOW_NAME = "Согласование учебных материалов"
TASK_NAME = "Проверка старшим преподавателем"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    CurriculumReviewTask = apps.get_model("courses", "CurriculumReviewTask")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="courses", model="curriculumreviewtask"
    )
    task = CurriculumReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = CurriculumReviewTask.objects.create(
            name=TASK_NAME, active=True, content_type=task_type
        )
    task.groups.set(Group.objects.filter(name__in=["Senior instructor", "Administrator"]))

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})
    # Wagtail's own starter groups and workflow would compete with the school's roles.
    default_groups = Group.objects.filter(name__in=["Moderators", "Editors"], user__isnull=True)
    default_groups.delete()
    Workflow.objects.filter(name="Moderators approval").exclude(pk=workflow.pk).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name="Moderators approval").delete()
    # On the root of the page tree, so that every programme written later is covered.
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0002_regions_and_roles"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
