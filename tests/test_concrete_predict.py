"""The trained models predict through their concrete functions exactly what Rasa's call predicts."""

import json
from typing import List, Tuple

import numpy as np
from rasa.utils.tensorflow.models import RasaModel
from test_lazy_ted import off_script_steps

from components import concrete_predict

MESSAGES = ["do I need to tip?", "hi", "book a deep tissue massage tomorrow at 3pm for Ada Stone",
            "what is effleurage?", "cancel booking WH-7K3P9Q", "asdf qwerty", "find me a female therapist"]


def test_loading_the_model_components_installs_the_call():
    assert RasaModel._rasa_predict is concrete_predict.rasa_predict


async def test_messages_parse_exactly_as_with_rasas_call(agent, monkeypatch):
    ours = [await agent.parse_message(text) for text in MESSAGES]
    monkeypatch.setattr(RasaModel, "_rasa_predict", concrete_predict.RASA_PREDICT)
    rasas = [await agent.parse_message(text) for text in MESSAGES]
    assert json.dumps(ours, sort_keys=True) == json.dumps(rasas, sort_keys=True)


async def test_every_model_gives_rasas_outputs(agent, monkeypatch):
    calls: List[Tuple[RasaModel, tuple]] = []

    def noting(model, batch_in):
        calls.append((model, batch_in))
        return concrete_predict.rasa_predict(model, batch_in)

    monkeypatch.setattr(RasaModel, "_rasa_predict", noting)
    for tracker in off_script_steps():  # TED decides there
        agent.processor._predict_next_with_tracker(tracker)
    for text in MESSAGES:
        await agent.parse_message(text)
    assert {type(model).__name__ for model, _ in calls} == {"DIET", "DIET2BOW", "TED"}
    for model, batch_in in calls:
        ours, rasas = concrete_predict.rasa_predict(model, batch_in), concrete_predict.RASA_PREDICT(model, batch_in)
        assert ours.keys() == rasas.keys()
        for key in rasas:
            assert_same(ours[key], rasas[key])


def assert_same(ours, rasas) -> None:
    if isinstance(rasas, dict):
        assert ours.keys() == rasas.keys()
        for key in rasas:
            assert_same(ours[key], rasas[key])
    else:
        np.testing.assert_array_equal(ours, rasas)
