"""Once the Rasa server has loaded the model, a full garbage collection no longer walks it: the
pause that held up every conversation under load shrinks."""

import gc
import time

from channels.heap import freeze_loaded_objects
from channels.rest import RestInput


def full_collection_ms() -> float:
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1000


def test_a_full_collection_no_longer_walks_the_loaded_model(agent):  # what a Rasa server holds
    assert agent.is_ready()
    before = min(full_collection_ms() for _ in range(3))
    freeze_loaded_objects()
    try:
        after = min(full_collection_ms() for _ in range(3))
    finally:
        gc.unfreeze()
    assert after < before / 5, (before, after)


def test_the_server_freezes_what_it_loaded_once_started():
    listeners = RestInput().blueprint(lambda message: None)._future_listeners
    registered = [(listener.listener, listener.event) for listener in listeners]
    assert (freeze_loaded_objects, "after_server_start") in registered
