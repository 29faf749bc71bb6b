"""An index in the admin list's order, newest first (see Article.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_search_in_date_order")]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["published_at", "id"], name="article_newest"),
        ),
    ]
