"""The sign-in lockout (domain/throttle.py ``assess``): spraying from one address is cut off, an outsider cannot
lock a decider out, and a real brute force from many addresses still locks (#13).

A small simulator plays the service's part (api/services/throttle.py): it asks ``assess``, checks the
credentials only when the verdict lets it, and keeps each failure under its address and its staff id.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.throttle import Attempt, BackOff, Failure, Lock, SignInRules, Verdict, assess, lock_state, locked_until

T0 = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # 09:00 JST
HOUR = timedelta(hours=1)
RULES = SignInRules(  # the defaults of core/settings.py
    address=BackOff(free=10, base=timedelta(seconds=1), ceiling=timedelta(minutes=15), window=HOUR),
    pair=Lock(threshold=5, duration=timedelta(minutes=15), window=HOUR),
    account=Lock(threshold=50, duration=timedelta(minutes=15), window=HOUR),
)
MAYOR = "s0001"  # 市長 (例示)
DESK = "10.20.0.5"  # the mayor's desk, in the office network
HOME = "198.51.100.200"  # the mayor's telework address


class Sim:
    """The failures kept, and one sign-in attempt at a time."""

    def __init__(self, rules: SignInRules = RULES) -> None:
        self.rules = rules
        self.by_address: dict[str, list[datetime]] = defaultdict(list)
        self.by_id: dict[str, list[Failure]] = defaultdict(list)
        self.checked = 0  # attempts whose password was checked

    def sign_in(
        self, staff_id: str, address: str, *, at: datetime, right: bool, office: bool = False, code: bool | None = None
    ) -> str:
        """``code``: None = no second factor sent; True / False = a right / wrong one.  Answers the outcome:
        ``throttled`` / ``locked`` (refused unchecked), ``failed`` (checked, wrong), ``signed_in``."""
        attempt = Attempt(address=address, office=office, second_factor=code is not None)
        judged = assess(
            attempt,
            address_failures=self.by_address[address],
            account_failures=self.by_id[staff_id],
            now=at,
            rules=self.rules,
        )
        if judged.verdict in (Verdict.THROTTLED, Verdict.LOCKED):
            return judged.verdict.value
        self.checked += 1
        if right and (office or code is True):
            self.by_id[staff_id] = [f for f in self.by_id[staff_id] if f.address != address]  # forgive its own typos
            return "signed_in"
        if right and code is None:
            return "second factor required"  # not a failure: the password was right
        self.by_address[address].append(at)
        self.by_id[staff_id].append(Failure(at=at, address=address, office=office))
        return "failed"


def outside(n: int) -> str:
    return f"203.0.{n // 250}.{n % 250 + 1}"


# --- (a) spraying from one address --------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(every=st.integers(min_value=1, max_value=20), ids=st.integers(min_value=50, max_value=5000))
def test_spraying_many_ids_from_one_address_is_cut_off(every: int, ids: int) -> None:
    """One address trying one password on a new id every ``every`` seconds for an hour: however many ids, only a
    handful of guesses are ever checked (the free ones, then one per doubling wait), and no id gets locked."""
    sim = Sim()
    at, n = T0, 0
    while at < T0 + HOUR:
        sim.sign_in(f"s{n % ids:04d}", "198.51.100.7", at=at, right=False)
        at += timedelta(seconds=every)
        n += 1
    # 10 free, then waits of 1, 2, 4 … 512 s (10 more), then one every 900 s.
    assert sim.checked <= 10 + 10 + 4
    for staff_id in sim.by_id:  # the sprayed owners sign in as usual, from anywhere
        assert sim.sign_in(staff_id, HOME, at=at, right=True, code=True) == "signed_in"


def test_the_sprayer_is_throttled_before_any_id_counts_a_failure() -> None:
    sim = Sim()
    outcomes = [sim.sign_in(f"s{n:04d}", "198.51.100.7", at=T0, right=False) for n in range(30)]
    assert outcomes[:11] == ["failed"] * 11 and set(outcomes[11:]) == {"throttled"}
    assert sum(len(f) for f in sim.by_id.values()) == 11  # throttled attempts counted against no id


# --- (b) an outsider cannot lock a decider out ----------------------------------------------------------------------

failures_from_outside = st.lists(
    st.tuples(st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=3599)),
    min_size=0,
    max_size=300,
)


@settings(max_examples=40, deadline=None)
@given(failures=failures_from_outside, when=st.integers(min_value=0, max_value=3600))
def test_failures_from_outside_never_hold_back_the_mayor_at_the_desk(
    failures: list[tuple[int, int]], when: int
) -> None:
    """Any number of wrong passwords for the mayor's id, from any number of addresses outside the office, at any
    times: the mayor signs in at the desk (office network) with the right password."""
    sim = Sim()
    for address, second in sorted(failures, key=lambda f: f[1]):
        sim.sign_in(MAYOR, outside(address), at=T0 + timedelta(seconds=second), right=False)
    assert sim.sign_in(MAYOR, DESK, at=T0 + timedelta(seconds=when), right=True, office=True) == "signed_in"


@settings(max_examples=40, deadline=None)
@given(failures=failures_from_outside, when=st.integers(min_value=0, max_value=3600))
def test_failures_from_elsewhere_never_hold_back_a_sign_in_with_the_second_factor(
    failures: list[tuple[int, int]], when: int
) -> None:
    """From telework the mayor, with the right password and code, is never refused because of others' guesses."""
    sim = Sim()
    for address, second in sorted(failures, key=lambda f: f[1]):
        sim.sign_in(MAYOR, outside(address), at=T0 + timedelta(seconds=second), right=False, code=second % 2 == 0)
    assert sim.sign_in(MAYOR, HOME, at=T0 + timedelta(seconds=when), right=True, code=True) == "signed_in"


def test_an_outsider_locks_only_their_own_address() -> None:
    sim = Sim()
    outcomes = [sim.sign_in(MAYOR, "192.0.2.66", at=T0 + timedelta(seconds=s), right=False) for s in range(8)]
    assert outcomes == ["failed"] * 5 + ["locked"] * 3
    assert sim.sign_in(MAYOR, "192.0.2.66", at=T0 + timedelta(seconds=9), right=True, code=True) == "locked"
    assert sim.sign_in(MAYOR, DESK, at=T0 + timedelta(seconds=9), right=True, office=True) == "signed_in"
    assert sim.sign_in(MAYOR, HOME, at=T0 + timedelta(seconds=9), right=True, code=True) == "signed_in"
    # The pair's lock lapses after 15 minutes, counted from the failure that reached the threshold.
    assert sim.sign_in(MAYOR, "192.0.2.66", at=T0 + timedelta(minutes=15, seconds=4), right=False) == "failed"


# --- (c) a real brute force from many addresses still locks -----------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(per_address=st.integers(min_value=1, max_value=4), every=st.integers(min_value=1, max_value=10))
def test_a_brute_force_on_one_id_from_many_addresses_locks(per_address: int, every: int) -> None:
    """A botnet guessing the mayor's password, each address staying under its own limits: once the id's failures
    over every address reach the threshold, password-only guesses from outside are refused unchecked; over an hour
    only a few lock periods' worth are ever checked."""
    sim = Sim()
    at, n, outcomes = T0, 0, []
    while at < T0 + HOUR:
        outcomes.append(sim.sign_in(MAYOR, outside(n // per_address), at=at, right=False))
        at += timedelta(seconds=every)
        n += 1
    assert outcomes[:50] == ["failed"] * 50 and outcomes[50] == "locked"
    assert sim.checked <= 50 * 4  # one batch per 15-minute lock in the hour
    # The right password alone, from outside, waits too; the desk does not.
    lock = locked_until((f.at for f in sim.by_id[MAYOR]), now=at, rule=RULES.account)
    if lock is not None:
        assert sim.sign_in(MAYOR, outside(99_999), at=at, right=True) == "locked"
        assert sim.sign_in(MAYOR, DESK, at=at, right=True, office=True) == "signed_in"


def test_while_the_id_is_locked_everywhere_a_second_factor_is_checked_with_the_password() -> None:
    sim = Sim()
    for n in range(50):
        sim.sign_in(MAYOR, outside(n), at=T0, right=False)
    guarded = Attempt(address=outside(500), office=False, second_factor=True)
    judged = assess(guarded, address_failures=[], account_failures=sim.by_id[MAYOR], now=T0, rules=RULES)
    assert judged.verdict is Verdict.GUARDED and judged.until == T0 + timedelta(minutes=15)
    assert sim.sign_in(MAYOR, outside(500), at=T0, right=False, code=False) == "failed"  # answered like the lock


def test_office_failures_count_towards_the_office_lock() -> None:
    """An insider guessing from many office PCs is not 'elsewhere': the office's own failures lock the office."""
    sim = Sim()
    for n in range(50):
        sim.sign_in(MAYOR, f"10.20.1.{n}", at=T0, right=False, office=True)
    assert sim.sign_in(MAYOR, DESK, at=T0, right=True, office=True) == "locked"


def test_a_lock_is_checked() -> None:
    with pytest.raises(ValueError, match="lock"):
        Lock(threshold=0, duration=timedelta(minutes=1), window=HOUR)


def test_the_lock_state_lists_the_locked_addresses_and_the_lock_over_every_address() -> None:
    rules = SignInRules(
        address=BackOff(free=1000, base=timedelta(seconds=1), ceiling=timedelta(minutes=15), window=timedelta(1)),
        pair=Lock(threshold=3, duration=timedelta(minutes=15), window=timedelta(hours=1)),
        account=Lock(threshold=10, duration=timedelta(minutes=15), window=timedelta(hours=1)),
    )
    t = datetime(2026, 4, 1, 9, tzinfo=UTC)
    guesser = [Failure(at=t, address="203.0.113.9", office=False)] * 3
    typo = [Failure(at=t, address="10.1.2.3", office=True)]
    state = lock_state([*guesser, *typo], now=t, rules=rules)
    assert (state.locked, state.account_until, state.pairs, state.until) == (
        True,
        None,
        {"203.0.113.9": t + timedelta(minutes=15)},
        t + timedelta(minutes=15),
    )
    many = [Failure(at=t, address=f"198.51.100.{n}", office=False) for n in range(10)]
    assert lock_state(many, now=t, rules=rules).account_until == t + timedelta(minutes=15)
    assert not lock_state(many, now=t + timedelta(minutes=15), rules=rules).locked
