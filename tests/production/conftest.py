import pytest

from tests.support.compose import dockerfile_instructions
from tests.support.production import copy_build_context, image_env


@pytest.fixture(scope="session")
def build_context(tmp_path_factory):
    """The image's /app: the build context, with the Dockerfile's collectstatic run in it as the build runs it (its
    RUN line under sh, the Dockerfile's ENV and nothing else: no secret, no server)."""
    app = copy_build_context(tmp_path_factory.mktemp("image") / "app")
    (collect,) = [arguments for word, arguments in dockerfile_instructions() if word == "RUN" and "collectstatic" in arguments]
    import subprocess

    result = subprocess.run(["sh", "-c", collect], cwd=app, env=image_env(app), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return app


@pytest.fixture
def image_environment(build_context):
    return image_env(build_context)


@pytest.fixture(scope="session")
def test_server_urls(django_db_setup):
    """The test run's PostgreSQL (its test database) and Redis database, for services that stand in for compose's."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return {"database_url": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "redis_url": settings.REDIS_URL}
