from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:section>/<slug:slug>-<int:pk>.html", views.article_detail, name="article"),
    path("<slug:slug>/", views.category_detail, name="category"),
]
