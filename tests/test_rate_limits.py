"""Rate limits that hold in production: one shared count, kept against the real client address."""

import uuid

import pytest

from marketplace.config import ConfigurationError, load_config
from marketplace.factory import create_app

SIGN_IN_LIMIT = 6  # per hour here, so a slow machine never crosses into a new window
REDIS = "redis://127.0.0.1:6379"


def _app(app_config, **settings):
    return create_app({**app_config, "RATELIMIT_ENABLED": True,
                       "SIGN_IN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per hour", **settings})


def _sign_in_attempts(client, times: int, *, forwarded_for=lambda n: None, remote="203.0.113.5") -> list[int]:
    statuses = []
    for n in range(times):
        headers = {"X-Forwarded-For": forwarded_for(n)} if forwarded_for(n) else {}
        # A new email each time, so only the limit per address is reached.
        wrong = {"email": f"nobody-{uuid.uuid4().hex}@example.org", "password": "not the password"}
        statuses.append(client.post("/sign-in", data=wrong, headers=headers,
                                    environ_base={"REMOTE_ADDR": remote}).status_code)
    return statuses


def test_production_refuses_a_count_kept_in_each_worker(monkeypatch):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 40})
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert load_config({"APP_ENV": "production", "SECRET_KEY": "x" * 40})["RATELIMIT_STORAGE_URI"] == "memory://"


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_ignored(app_config):
    client = _app(app_config, TRUSTED_PROXY_HOPS=0).test_client()
    statuses = _sign_in_attempts(client, SIGN_IN_LIMIT + 1, forwarded_for=lambda n: f"10.0.0.{n}")
    assert statuses[-1] == 429


def test_behind_one_proxy_only_the_address_it_saw_counts(app_config):
    client = _app(app_config, TRUSTED_PROXY_HOPS=1).test_client()
    # The client writes a new address each time; the proxy adds the one it really saw.
    statuses = _sign_in_attempts(client, SIGN_IN_LIMIT + 1, remote="10.0.0.2",
                                 forwarded_for=lambda n: f"198.51.100.{n}, 203.0.113.5")
    assert statuses[-1] == 429
    # Someone else behind the same proxy is not held up.
    other = _sign_in_attempts(client, 1, remote="10.0.0.2", forwarded_for=lambda n: "203.0.113.77")
    assert other == [400]


def test_workers_share_one_count_in_redis(app_config):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    shared = {"RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = _app(app_config, **shared).test_client(), _app(app_config, **shared).test_client()
    half = SIGN_IN_LIMIT // 2
    assert 429 not in _sign_in_attempts(first, half) + _sign_in_attempts(second, half)
    assert _sign_in_attempts(first, 1) == [429]
