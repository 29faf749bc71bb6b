from django.contrib.admin.apps import AdminConfig


class NewsroomAdminConfig(AdminConfig):
    """Django's admin with the newsroom's own site: the desk as its first page."""

    default_site = "articles.desk.DeskSite"
