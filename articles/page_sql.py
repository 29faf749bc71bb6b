"""The article page's own SQL: the article and its section in one statement written once
per process (on PostgreSQL with its body too), and the body's blocks of every kind in
one query. ``Article.objects.for_page`` and ``Article.body()`` run it; it knows the models only
through the model it is given.

Its parameters are named (``%(article)s``): SQLite's backend rewrites positional ones with
a regular expression over the whole statement on every execution, named ones with a
string format."""

import functools

from django.db import connections

# The blocks of every kind in one query, in body order; the kind column is the index of
# the block's model in ``BLOCK_KINDS`` (text, figure, quote, embed, card). Each kind
# puts its own fields in the shared columns (``body_columns`` of its model); a figure
# brings its photo's.
PHOTO_COLUMNS = {
    "id": "ref_id", "image": "p_image", "image_width": "p_width", "image_height": "p_height",
    "alt_text": "p_alt", "credit": "p_credit", "caption": "p_caption", "focal_x": "p_focal_x",
    "focal_y": "p_focal_y", "rendition_widths": "p_renditions", "crops": "p_crops",
}  # fmt: skip
BODY_COLUMNS = ("id", "ordering", "text", "extra", "ref_id", *list(PHOTO_COLUMNS.values())[1:])
_NO_PHOTO = ", ".join(f"NULL AS {name}" for name in BODY_COLUMNS[5:])
_NO_PHOTO_VALUES = ", ".join("NULL" for _name in BODY_COLUMNS[5:])
_PHOTO = ", ".join(
    f"p.{attname}" for attname, column in PHOTO_COLUMNS.items() if column != "ref_id"
)
BODY_ROWS = f"""
    SELECT 0 AS kind, id, ordering, text, NULL AS extra, NULL AS ref_id, {_NO_PHOTO}
      FROM articles_richtext WHERE article_id = {{article}}
    UNION ALL
    SELECT 1, f.id, f.ordering, f.caption, NULL, f.photo_id, {_PHOTO}
      FROM articles_figure f LEFT OUTER JOIN articles_photo p ON p.id = f.photo_id
     WHERE f.article_id = {{article}}
    UNION ALL
    SELECT 2, id, ordering, text, attribution, NULL, {_NO_PHOTO_VALUES}
      FROM articles_quote WHERE article_id = {{article}}
    UNION ALL
    SELECT 3, id, ordering, url, NULL, NULL, {_NO_PHOTO_VALUES}
      FROM articles_embed WHERE article_id = {{article}}
    UNION ALL
    SELECT 4, id, ordering, NULL, NULL, target_id, {_NO_PHOTO_VALUES}
      FROM articles_storycard WHERE article_id = {{article}}
"""
BODY_SQL = BODY_ROWS.format(article="%(article)s") + "ORDER BY 3, 1, 2"
# The same rows as one JSON list, a column of the article page's statement where the
# database can build it: a second statement cost PostgreSQL a transaction of its own.
BODY_JSON_SQL = (
    "(SELECT coalesce(json_agg(json_build_array(body.kind, {columns})"
    " ORDER BY body.ordering, body.kind, body.id), '[]') FROM ({rows}) AS body)"
).format(
    columns=", ".join(f"body.{name}" for name in BODY_COLUMNS),
    rows=BODY_ROWS.format(article='"articles_article"."id"'),
)


class PageStatement:
    """The SQL of an article and its section by id, with what turns its row into both.

    The columns are those of ``Article.objects.for_reading()``: every field but the
    search text, then the section's; on PostgreSQL, then the body's rows.
    """

    def __init__(self, model, db):
        connection = connections[db]
        Article = self.model = model
        Category = self.section_model = model._meta.get_field("category").related_model
        quote = connection.ops.quote_name
        articles, sections = quote(Article._meta.db_table), quote(Category._meta.db_table)
        article_fields = [f for f in Article._meta.concrete_fields if f.name != "search_text"]
        section_fields = list(Category._meta.concrete_fields)
        self.article_names = [f.attname for f in article_fields]
        self.section_names = [f.attname for f in section_fields]
        columns = [f"{articles}.{quote(f.column)}" for f in article_fields] + [
            f"{sections}.{quote(f.column)}" for f in section_fields
        ]
        self.width = len(columns)
        self.reads_body = connection.vendor == "postgresql"
        if self.reads_body:
            columns.append(BODY_JSON_SQL)
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {articles} LEFT OUTER JOIN {sections}"
            f" ON {sections}.{quote('id')} = {articles}.{quote('category_id')}"
            f" WHERE {articles}.{quote('id')} = %(article)s"
        )
        # What the ORM would apply to each column (SQLite's times, say, become aware),
        # for the columns that need it.
        self.converters = [
            (index, field, converters)
            for index, field in enumerate(article_fields + section_fields)
            if (converters := self._converters(connection, field))
        ]

    @staticmethod
    def _converters(connection, field):
        column = field.get_col(field.model._meta.db_table)
        return connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def article(self, db, row):
        connection = connections[db]
        values = list(row[: self.width])
        for index, field, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], field, connection)
        count = len(self.article_names)
        article = self.model.from_db(db, self.article_names, values[:count])
        if article.category_id is not None:
            article.category = self.section_model.from_db(db, self.section_names, values[count:])
        if self.reads_body:
            article.body_rows = row[self.width]
        return article


@functools.cache
def page_statement(model, db):
    return PageStatement(model, db)


def read_article(model, db, pk):
    """Article ``pk`` of ``model`` with its section (and its body's rows), or None."""
    statement = page_statement(model, db)
    with connections[db].cursor() as cursor:
        cursor.execute(statement.sql, {"article": pk})
        row = cursor.fetchone()
    return statement.article(db, row) if row else None


def read_bodies(db, pks):
    """The rows of the blocks of the articles ``pks``, by article id, each in body order:
    one query for a list (a feed)."""
    pks = [int(pk) for pk in pks]
    bodies = {pk: [] for pk in pks}
    if not pks:
        return bodies
    numbered = {f"article{index}": pk for index, pk in enumerate(pks)}
    marks = ", ".join(f"%({name})s" for name in numbered)
    rows_sql = BODY_ROWS.replace("article_id = {article}", f"article_id IN ({marks})")
    rows_sql = rows_sql.replace("SELECT 0 AS kind,", "SELECT article_id AS owner, 0 AS kind,")
    for branch in ("SELECT 1,", "SELECT 2,", "SELECT 3,", "SELECT 4,"):
        owner = "f.article_id" if branch == "SELECT 1," else "article_id"
        rows_sql = rows_sql.replace(branch, f"SELECT {owner}, {branch[7:]}")
    with connections[db].cursor() as cursor:
        cursor.execute(rows_sql + " ORDER BY 1, 4, 2, 3", numbered)
        for owner, *row in cursor.fetchall():
            bodies[owner].append(row)
    return bodies


def read_body(db, pk):
    """The rows of article ``pk``'s blocks, in body order."""
    with connections[db].cursor() as cursor:
        cursor.execute(BODY_SQL, {"article": pk})
        return cursor.fetchall()
