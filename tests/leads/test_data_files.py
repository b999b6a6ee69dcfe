"""The data files every app reads through leads.data_files: read once, and a broken one names its path."""

import pytest

from leads.data_files import DataFileError, read_toml


def test_a_data_file_is_read_once_per_process(tmp_path):
    path = tmp_path / "wording.toml"
    path.write_text('greeting = "Hi!"\n', encoding="utf-8")
    assert read_toml(path) == {"greeting": "Hi!"}
    path.write_text('greeting = "Hello!"\n', encoding="utf-8")
    assert read_toml(path) == {"greeting": "Hi!"}  # edited files take effect at the next start, as settings do


@pytest.mark.parametrize("content", ['greeting = "unclosed\n', None])
def test_a_broken_or_missing_data_file_names_its_path(tmp_path, content):
    path = tmp_path / "broken.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match="broken.toml"):
        read_toml(path)
