"""The "Mediators" group: the mediator permission and the view permissions of what a
mediator reads. Permissions are made here when missing, since Django creates them only
after every migration has run."""

from django.db import migrations

MEDIATORS_GROUP = "Mediators"
PERMISSIONS = [
    ("accounts", "user", "mediate", "Can review evidence and decide disputes"),
    ("disputes", "dispute", "view_dispute", "Can view dispute"),
    ("disputes", "appeal", "view_appeal", "Can view appeal"),
    ("disputes", "disputeevent", "view_disputeevent", "Can view dispute event"),
    ("disputes", "disputemessage", "view_disputemessage", "Can view dispute message"),
    ("disputes", "evidence", "view_evidence", "Can view evidence"),
    ("orders", "order", "view_order", "Can view order"),
    ("orders", "seller", "view_seller", "Can view seller"),
]


def create_mediators_group(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=MEDIATORS_GROUP)
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ = content_types.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = permissions.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def delete_mediators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MEDIATORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_mediate_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("disputes", "0004_fix_the_terms_of_disputed_orders"),
        ("orders", "0004_order_terms_fixed_at"),
    ]

    operations = [migrations.RunPython(create_mediators_group, delete_mediators_group)]
