import subprocess

import pytest

from tests.support.compose import dockerfile_instructions
from tests.support.production import copy_build_context, image_env


@pytest.fixture(scope="session")
def build_context(tmp_path_factory):
    """The image's /app: the build context, with the Dockerfile's collectstatic run in it as the build runs it (its
    RUN line under sh, the Dockerfile's ENV and nothing else: no secret, no server)."""
    app = copy_build_context(tmp_path_factory.mktemp("image") / "app")
    (collect,) = [arguments for word, arguments in dockerfile_instructions() if word == "RUN" and "collectstatic" in arguments]
    result = subprocess.run(["sh", "-c", collect], cwd=app, env=image_env(app), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return app


@pytest.fixture
def image_environment(build_context):
    return image_env(build_context)


@pytest.fixture
def test_server_urls(project_env):
    """The test run's PostgreSQL (its test database) and Redis database, for services that stand in for compose's."""
    return {"database_url": project_env["DATABASE_URL"], "redis_url": project_env["REDIS_URL"]}
