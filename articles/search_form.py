"""The readers' search form: words, a section, a period in Hanoi days, and an order."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .models import MAX_SEARCH_QUERY, Category
from .models.articles import PUBLICATION_YEARS

PERIODS = [
    ("", pgettext_lazy("search", "Any time")),
    ("today", pgettext_lazy("search", "Today")),
    ("week", pgettext_lazy("search", "This week")),
    ("month", pgettext_lazy("search", "This month")),
    ("range", pgettext_lazy("search", "Between dates")),
]
ORDERS = [
    ("", pgettext_lazy("search", "Best match")),
    ("date", pgettext_lazy("search", "Newest first")),
]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=pgettext_lazy("search", "Words"), required=False, max_length=MAX_SEARCH_QUERY
    )
    section = forms.ModelChoiceField(
        label=pgettext_lazy("search", "Section"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=pgettext_lazy("search", "All sections"),
    )
    date = forms.ChoiceField(
        label=pgettext_lazy("search", "Published"), choices=PERIODS, required=False
    )
    start = forms.DateField(
        label=pgettext_lazy("search", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("search", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = forms.ChoiceField(label=pgettext_lazy("search", "Order"), choices=ORDERS, required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            data = data.copy()
            data["q"] = data.get("q", "")[:MAX_SEARCH_QUERY]
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day and day.year not in PUBLICATION_YEARS:
                self.add_error(
                    name,
                    pgettext_lazy("search", "Choose a day from %(first)s to %(last)s.")
                    % {"first": PUBLICATION_YEARS.start, "last": PUBLICATION_YEARS.stop - 1},
                )
                cleaned.pop(name, None)
        if cleaned.get("date") == "range":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start and not end and not self.errors:
                raise forms.ValidationError(
                    pgettext_lazy("search", "Give a first day, a last day, or both.")
                )
            if start and end and start > end:
                raise forms.ValidationError(
                    pgettext_lazy("search", "The first day must not be after the last day.")
                )
        return cleaned

    def period(self):
        """(since, until) in the site's time (Hanoi), whole days, either may be None."""
        data = self.cleaned_data
        today = timezone.localdate()

        def midnight(day):
            return timezone.make_aware(datetime.combine(day, time.min))

        match data.get("date"):
            case "today":
                return midnight(today), None
            case "week":
                return midnight(today - timedelta(days=today.weekday())), None
            case "month":
                return midnight(today.replace(day=1)), None
            case "range":
                start, end = data.get("start"), data.get("end")
                return (
                    midnight(start) if start else None,
                    midnight(end + timedelta(days=1)) if end else None,
                )
        return None, None

    def key(self):
        """What the answer depends on besides the words, for the cache."""
        since, until = self.period()
        section = self.cleaned_data.get("section")
        return (
            section.pk if section else None,
            since.isoformat() if since else None,
            until.isoformat() if until else None,
            self.cleaned_data.get("sort") or "",
        )

    def has_filters(self):
        data = self.cleaned_data
        return bool(data.get("section") or data.get("date") or data.get("sort"))
