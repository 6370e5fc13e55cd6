"""The document collection «Только для преподавателей», private to the teaching groups.

Documents put there (answer keys, discussion material) are served only to instructors, senior
instructors and administrators, wherever they are linked (`content/documents.py`); Wagtail's
collection privacy shows the restriction in the admin.
"""

from django.db import migrations

COLLECTION_NAME = "Только для преподавателей"
TEACHING_GROUPS = ["Instructor", "Senior instructor", "Administrator"]
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's materialised-path digits
STEP = 4


def _next_child_path(parent, Collection) -> str:
    last = (
        Collection.objects.filter(depth=parent.depth + 1, path__startswith=parent.path)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = int(last[-STEP:], 36) + 1 if last else 1
    digits = ""
    for _ in range(STEP):
        number, digit = divmod(number, 36)
        digits = ALPHABET[digit] + digits
    return parent.path + digits


def create_collection(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionViewRestriction = apps.get_model("wagtailcore", "CollectionViewRestriction")
    Group = apps.get_model("auth", "Group")

    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    collection = Collection.objects.filter(depth=2, name=COLLECTION_NAME).first()
    if collection is None:
        # Historical models have no treebeard API: the node is placed as add_child() would.
        collection = Collection.objects.create(
            name=COLLECTION_NAME, path=_next_child_path(root, Collection), depth=2, numchild=0
        )
        root.numchild += 1
        root.save(update_fields=["numchild"])
    restriction, _created = CollectionViewRestriction.objects.get_or_create(
        collection=collection, restriction_type="groups", defaults={"password": ""}
    )
    restriction.groups.set(Group.objects.filter(name__in=TEACHING_GROUPS))


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("accounts", "0002_regions_and_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    # Kept on the way back: documents may have been filed there since.
    operations = [migrations.RunPython(create_collection, migrations.RunPython.noop)]
