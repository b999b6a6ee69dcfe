"""Domain events other layers may listen to (leads imports no layer above it, so it announces instead of calling)."""

from django.dispatch import Signal

# A contact's cache version was bumped (with `contact_id` and `version`): their cached
# results are retired; whoever holds such results may free them.
contact_cache_retired = Signal()
