"""Results computed from a facts snapshot are reused for that snapshot only."""

from __future__ import annotations

from schule.services.transfer.facts import CommuneFact, Facts
from schule.services.transfer.memo import SnapshotMemo


def snapshot() -> Facts:
    return Facts.of(communes=[CommuneFact("olpe", "Olpe")], projects=[])


def test_a_result_is_computed_once_per_snapshot_and_key() -> None:
    memo, calls = SnapshotMemo(), []
    facts = snapshot()

    def compute() -> list[str]:
        calls.append("x")
        return ["result"]

    first = memo.get(facts, "a", compute)
    assert memo.get(facts, "a", compute) is first
    assert calls == ["x"]
    memo.get(facts, "b", compute)  # another key is another result
    assert calls == ["x", "x"]


def test_a_new_snapshot_computes_again_and_forgets_the_old_one() -> None:
    memo, old, new = SnapshotMemo(), snapshot(), snapshot()
    assert memo.get(old, "a", lambda: 1) == 1
    assert memo.get(new, "a", lambda: 2) == 2   # the graph changed: not the old value
    assert memo.get(old, "a", lambda: 3) == 3   # and the old snapshot's values are gone


def test_the_memo_holds_a_bounded_number_of_keys() -> None:
    memo, facts = SnapshotMemo(max_keys=2), snapshot()
    for key in range(5):
        memo.get(facts, key, lambda key=key: key)  # type: ignore[misc]
    assert memo.get(facts, 4, lambda: "computed") == "computed"  # not kept: over the bound
    assert memo.get(facts, 0, lambda: "computed") == 0
