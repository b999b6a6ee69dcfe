"""The CRM sync's settings fail fast with one line naming what is wrong (run as a new process would)."""

import pytest

from tests.support.processes import manage

pytestmark = pytest.mark.filterwarnings("ignore:Engine not recognized")


@pytest.mark.parametrize("overrides, starts", [
    ({"FOLLOW_UP_BOSS_API_KEY": "fub-key"}, "configuration error: FOLLOW_UP_BOSS_SYSTEM and FOLLOW_UP_BOSS_SYSTEM_KEY"),
    ({"CRM_WEBHOOK_MAX_ATTEMPTS": "0"}, "configuration error: CRM_WEBHOOK_TIMEOUT_SECONDS must be positive"),
    ({"CRM_WEBHOOK_RETRY_BASE_SECONDS": "600", "CRM_WEBHOOK_RETRY_MAX_SECONDS": "60"},
     "configuration error: CRM_WEBHOOK_TIMEOUT_SECONDS must be positive"),
])
def test_bad_crm_settings_fail_with_one_line(project_env, overrides, starts):
    result = manage(["check"], {**project_env, **overrides})
    assert result.returncode == 2 and result.stderr.startswith(starts), result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]


def test_a_complete_follow_up_boss_configuration_starts(project_env):
    result = manage(["check"], {**project_env, "FOLLOW_UP_BOSS_API_KEY": "fub-key", "FOLLOW_UP_BOSS_SYSTEM": "Ours",
                                "FOLLOW_UP_BOSS_SYSTEM_KEY": "system-key"})
    assert result.returncode == 0, result.stderr
