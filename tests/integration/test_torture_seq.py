"""scripts/torture's writer bookkeeping. A CI run reported one order
violation that tidewater did not cause: a transaction meant to roll back
failed when PostgreSQL went away, gave back a sequence number it had never
taken, and the next committed row of that aggregate repeated a committed
number."""
import importlib.util
import os
from importlib.machinery import SourceFileLoader

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_loader = SourceFileLoader("torture", os.path.join(TOP, "scripts", "torture"))
torture = importlib.util.module_from_spec(importlib.util.spec_from_loader("torture", _loader))
_loader.exec_module(torture)


def test_failed_rollback_transaction_gives_nothing_back():
    book = torture.SeqBook()
    assert book.take("agg-1", rollback=False) == 1
    assert book.take("agg-1", rollback=False) == 2
    # A transaction meant to roll back repeats the current number...
    batch = [("e3", "agg-1", book.take("agg-1", rollback=True))]
    assert batch[0][2] == 2
    # ...and when it fails on the way, nothing is given back: the next
    # committed row continues after the last committed one.
    book.give_back(batch, rollback=True)
    assert book.take("agg-1", rollback=False) == 3


def test_failed_transaction_gives_back_what_it_took():
    book = torture.SeqBook()
    assert book.take("agg-1", rollback=False) == 1
    batch = [("e2", "agg-1", book.take("agg-1", rollback=False)),
             ("e3", "agg-2", book.take("agg-2", rollback=False)),
             ("e4", "agg-1", book.take("agg-1", rollback=False))]
    assert [e[2] for e in batch] == [2, 1, 3]
    book.give_back(batch, rollback=False)
    assert book.take("agg-1", rollback=False) == 2
    assert book.take("agg-2", rollback=False) == 1
