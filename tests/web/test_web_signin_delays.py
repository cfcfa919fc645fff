"""Nobody can lock anybody out (issue 14, item 8): only failed sign-ins count, they slow the
client that fails with growing delays (per account and client), and the real person signing
in from elsewhere, or after the delay, gets in. The clock is moved; nothing sleeps."""

from __future__ import annotations

from conftest import Bare
from fastapi.testclient import TestClient
from web_fixtures import sign_in

WRONG = "not the password at all"


def _client(bare: Bare, app: object, address: str) -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 40000))  # type: ignore[arg-type]


def test_successful_sign_ins_never_count(bare: Bare) -> None:
    app = bare.app_with(auth_rate_limit=3)
    office = _client(bare, app, "192.0.2.10")
    codes = [sign_in(office, bare.emails["officer"]).status_code for _ in range(12)]
    assert codes == [303] * 12


def test_failures_slow_the_guesser_not_the_real_person(bare: Bare) -> None:
    app = bare.app_with(auth_rate_limit=3)
    attacker = _client(bare, app, "203.0.113.66")
    victim = bare.emails["officer"]
    assert [sign_in(attacker, victim, WRONG).status_code for _ in range(3)] == [400] * 3
    blocked = sign_in(attacker, victim)  # even the right password waits now
    assert blocked.status_code == 429
    assert blocked.headers["retry-after"] == "1" and "try again in 1 seconds" in blocked.text
    # the real person, from their own network, is not affected
    assert sign_in(_client(bare, app, "198.51.100.7"), victim).status_code == 303
    # refused attempts do not count: hammering during the delay changes nothing
    for _ in range(20):
        assert sign_in(attacker, victim, WRONG).status_code == 429
    bare.clock.advance(seconds=1)
    assert sign_in(attacker, victim, WRONG).status_code == 400  # a try, and a 4th failure
    bare.clock.advance(seconds=1)
    assert sign_in(attacker, victim, WRONG).status_code == 429  # now 2 s are due
    bare.clock.advance(seconds=1)
    assert sign_in(attacker, victim).status_code == 303  # after the delay, the right one works
    assert sign_in(attacker, victim, WRONG).status_code == 400  # success cleared the count


def test_delays_grow_but_are_capped_at_fifteen_minutes(bare: Bare) -> None:
    app = bare.app_with(auth_rate_limit=1)
    guesser = _client(bare, app, "203.0.113.7")
    waits = []
    for _ in range(14):
        response = sign_in(guesser, bare.emails["operator"], WRONG)
        while response.status_code == 429:
            wait = int(response.headers["retry-after"])
            waits.append(wait)
            bare.clock.advance(seconds=wait)
            response = sign_in(guesser, bare.emails["operator"], WRONG)
        assert response.status_code == 400
    assert waits[:6] == [1, 2, 4, 8, 16, 32]
    assert max(waits) <= 15 * 60


def test_a_client_spraying_many_accounts_is_slowed_too(bare: Bare) -> None:
    app = bare.app_with(auth_rate_limit=1)
    sprayer = _client(bare, app, "203.0.113.9")
    codes = [sign_in(sprayer, f"user{n}@nowhere.example", WRONG).status_code for n in range(6)]
    assert codes == [400] * 5 + [429]  # five accounts' worth (5 x the limit) from one client
