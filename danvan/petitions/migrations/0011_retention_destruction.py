"""Retention of filed-away petitions: destruction decisions, tombstones, and the retention period as rule data.

Circular 05/2021/TT-TTCP (as Circular 07/2014/TT-TTCP before it) keeps a filed-away petition for
one year, after which it is destroyed by a decision (DOMAIN.md §5). The period is a ``DeadlineRule``
row like every other legal period, so a change of law is a new row with its own date.
"""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RETENTION = dict(
    key="retention", kind="any", counting="calendar_days", days=365, effective_from=dt.date(2014, 12, 15),
    legal_basis="Thông tư 05/2021/TT-TTCP (trước đó Thông tư 07/2014/TT-TTCP)",
    note="Đơn xếp lưu được lưu 01 năm rồi hủy theo quyết định. Điều khoản và ngày hiệu lực: "
         "chưa kiểm chứng (unverified).",
)


def load(apps, schema_editor):
    DeadlineRule = apps.get_model("petitions", "DeadlineRule")
    DeadlineRule.objects.get_or_create(
        key=RETENTION["key"], kind=RETENTION["kind"], round=None, effective_from=RETENTION["effective_from"],
        defaults={k: v for k, v in RETENTION.items() if k not in {"key", "kind", "effective_from"}},
    )


def unload(apps, schema_editor):
    apps.get_model("petitions", "DeadlineRule").objects.filter(
        key=RETENTION["key"], kind=RETENTION["kind"], effective_from=RETENTION["effective_from"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_unit_kinds'),
        ('petitions', '0010_published_results_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='petition',
            name='destroyed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='destroyed at'),
        ),
        migrations.AlterField(
            model_name='deadlinerule',
            name='key',
            field=models.CharField(choices=[('acceptance', 'Acceptance'), ('forward', 'Forwarding'), ('notification', 'Notification'), ('feedback', 'Reply to the citizen'), ('resolution', 'Resolution'), ('filing_limit', 'Filing limit'), ('retention', 'Retention of filed-away petitions')], max_length=20, verbose_name='period'),
        ),
        migrations.CreateModel(
            name='DestructionDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('number', models.CharField(max_length=50, verbose_name='number and symbol')),
                ('year', models.PositiveSmallIntegerField(editable=False, verbose_name='year')),
                ('decided_on', models.DateField(verbose_name='decided on')),
                ('signer_name', models.CharField(max_length=200, verbose_name='signed by')),
                ('signer_title', models.CharField(max_length=200, verbose_name="signer's title")),
                ('basis', models.TextField(verbose_name='reason and legal basis')),
                ('petition_numbers', models.JSONField(default=list, editable=False, verbose_name='petitions destroyed')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('org_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='destruction_decisions', to='orgs.orgunit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'destruction decision',
                'verbose_name_plural': 'destruction decisions',
                'ordering': ['-decided_on', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='petition',
            name='destruction',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='petitions', to='petitions.destructiondecision', verbose_name='destruction decision'),
        ),
        migrations.AddConstraint(
            model_name='destructiondecision',
            constraint=models.UniqueConstraint(fields=('org_unit', 'year', 'number'), name='petitions_destruction_number_unique'),
        ),
        migrations.RunPython(load, unload),
    ]
