"""Hypothesis settings for the fuzz tests: example counts are fixed so a run tries the same number every time."""

from hypothesis import HealthCheck, settings as hypothesis_settings

FUZZ = hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WEBHOOK_FUZZ = hypothesis_settings(max_examples=150, deadline=None,
                                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
