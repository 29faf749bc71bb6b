"""The production storage of static files: WhiteNoise's hashed names, each address worked
out once per process."""

import json

import pytest

from newsroom.staticfiles import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"articles/site.css": "articles/site.0a1b2c.css"}})
    )
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_file_is_linked_by_its_hashed_name(storage):
    assert storage.url("articles/site.css") == "/static/articles/site.0a1b2c.css"


def test_an_address_is_worked_out_once(storage):
    first = storage.url("articles/site.css")
    storage.hashed_files.clear()  # the manifest is not read again
    assert storage.url("articles/site.css") == first


def test_a_file_missing_from_the_manifest_is_an_error_each_time(storage):
    for _attempt in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("articles/gone.css")


def test_with_debug_on_the_name_is_left_as_it_is(storage, settings):
    storage.url("articles/site.css")
    settings.DEBUG = True
    assert storage.url("articles/site.css") == "/static/articles/site.css"
