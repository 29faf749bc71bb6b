"""The three lists beside an article, fetched together in one query.

"Có thể bạn quan tâm", "Nên xem" and "Tin khác" follow the rules of
``Article.related_articles``, ``Article.picks`` and ``Article.other_news``
(tests/test_boxes.py holds the two to the same answers). Three or four
queries become one so that the article page costs a fixed, small number of
queries whatever the editor links.
"""

from django.db.models import OuterRef, Q, Subquery

from .models import Article, RelatedLink


def article_boxes(article, *, related=6, picks=5, other=10):
    """``{"related": [...], "picks": [...], "other_news": [...]}`` for ``article``."""
    others = Article.objects.published().exclude(pk=article.pk)
    newest = others.latest_first().values("pk")
    links = RelatedLink.objects.filter(article=article)
    # Every article any of the lists could show; each list is then cut from them.
    wanted = (
        Q(pk__in=links.values("target"))
        | Q(pk__in=newest[:other])
        | Q(pk__in=newest.filter(is_pick=True)[:picks])
    )
    if article.category_id:
        wanted |= Q(pk__in=newest.filter(category_id=article.category_id)[:related])
    candidates = list(
        others.listing()
        .filter(wanted)
        .annotate(
            link_position=Subquery(
                links.filter(target=OuterRef("pk")).order_by("position").values("position")[:1]
            )
        )
        .latest_first()
    )
    chosen = sorted(
        (a for a in candidates if a.link_position is not None), key=lambda a: a.link_position
    )
    if article.category_id and len(chosen) < related:
        chosen += [
            a
            for a in candidates
            if a.category_id == article.category_id and a.link_position is None
        ][: related - len(chosen)]
    return {
        "related": chosen,
        "picks": [a for a in candidates if a.is_pick][:picks],
        "other_news": candidates[:other],
    }
