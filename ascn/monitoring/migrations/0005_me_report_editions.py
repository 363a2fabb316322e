# The M&E report in each language of the site: the HTML and the PDF move from the report to its editions, one
# per language. A report generated before keeps its HTML and PDF as its English edition (the site's language,
# the only one it was written in).

import django.db.models.deletion
from django.db import migrations, models


def keep_as_english_editions(apps, schema_editor):
    MEReport = apps.get_model("monitoring", "MEReport")
    MEReportEdition = apps.get_model("monitoring", "MEReportEdition")
    MEReportEdition.objects.bulk_create([
        MEReportEdition(report_id=pk, language="en", html=html, pdf=pdf)
        for pk, html, pdf in MEReport.objects.exclude(html="", pdf="").values_list("pk", "html", "pdf").iterator()])


def back_to_the_report(apps, schema_editor):
    MEReport = apps.get_model("monitoring", "MEReport")
    MEReportEdition = apps.get_model("monitoring", "MEReportEdition")
    for edition in MEReportEdition.objects.filter(language="en").iterator():
        MEReport.objects.filter(pk=edition.report_id).update(html=edition.html, pdf=edition.pdf)


class Migration(migrations.Migration):

    dependencies = [
        ('monitoring', '0004_units_round_dates_published_figures'),
    ]

    operations = [
        migrations.CreateModel(
            name='MEReportEdition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('language', models.CharField(choices=[('en', 'English'), ('vi', 'Vietnamese'), ('th', 'Thai')], max_length=8, verbose_name='language')),
                ('html', models.TextField(blank=True)),
                ('pdf', models.FileField(blank=True, upload_to='reports/me/', verbose_name='PDF')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='editions', to='monitoring.mereport', verbose_name='M&E report')),
            ],
            options={
                'verbose_name': 'M&E report edition',
                'verbose_name_plural': 'M&E report editions',
                'ordering': ['report', 'id'],
                'constraints': [models.UniqueConstraint(fields=('report', 'language'), name='me_edition_one_per_language')],
            },
        ),
        migrations.RunPython(keep_as_english_editions, back_to_the_report),
        migrations.RemoveField(
            model_name='mereport',
            name='html',
        ),
        migrations.RemoveField(
            model_name='mereport',
            name='pdf',
        ),
    ]
