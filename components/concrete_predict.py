"""Inference of Rasa's TensorFlow models (DIET, the ResponseSelector, TED) by their concrete function.

Rasa compiles each model's prediction step as a `tf.function` with a fixed input signature on its
first prediction, so there is exactly one concrete function behind it. Calling the `tf.function`
still matches every call's inputs against its signatures before running that function: per call,
DIET 3.1 ms instead of 2.6 ms, the ResponseSelector 1.3 ms instead of 0.55 ms, TED 2.0 ms instead
of 1.1 ms, measured in the loaded model. After the first prediction (Rasa's own), this calls the
concrete function directly: the same graph on the same inputs.
"""

import weakref
from typing import Any, Dict, Tuple

import numpy as np
from keras.utils import tf_utils
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.utils.tensorflow.models import RasaModel

RASA_PREDICT = RasaModel._rasa_predict
# model -> the concrete function of its compiled prediction step
_concrete: "weakref.WeakKeyDictionary[RasaModel, Any]" = weakref.WeakKeyDictionary()


def rasa_predict(model: RasaModel, batch_in: Tuple[np.ndarray, ...]) -> Dict[str, Any]:
    concrete = _concrete.get(model)
    if concrete is None:
        outputs = RASA_PREDICT(model, batch_in)  # prepares the model and compiles the step
        if model._tf_predict_step is not None:  # None when the model runs eagerly
            _concrete[model] = model._tf_predict_step.get_concrete_function()
        return outputs
    model._training = False
    # As RASA_PREDICT finishes.
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete(list(batch_in)))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = model._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


def install() -> None:
    RasaModel._rasa_predict = rasa_predict
