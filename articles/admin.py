from django.contrib import admin

from .models import Article, Category, Figure, RelatedLink, TextBlock


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class TextBlockInline(admin.StackedInline):
    model = TextBlock
    extra = 0


class FigureInline(admin.StackedInline):
    model = Figure
    extra = 0


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    autocomplete_fields = ["target"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "published_at", "updated_at"]
    list_filter = ["status", "category"]
    list_select_related = ["category"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    inlines = [TextBlockInline, FigureInline, RelatedLinkInline]
