"""The offline reader of a prospect's SMS (English and Spanish): intent, facts, lead type, name, language, opt-out
in words and prompt injection. Pure Python over data files (data/*.toml); it knows nothing of Django."""

from leads.reader.reading import Reading, read
from leads.reader.timeline import names_calendar_point

__all__ = ["Reading", "names_calendar_point", "read"]
