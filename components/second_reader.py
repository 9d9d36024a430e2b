"""A second reader of every message beside DIET and the ResponseSelector, and the second question.

On messages written in other voices than the training data (tests/nlu_unseen.yml) a linear
classifier over word and character n-grams (TF-IDF) picked the right intent or FAQ topic for
81% of messages, DIET and the ResponseSelector for about 53%; and where they disagree, one of
them is usually wrong. So this component reads each message with that classifier, trained on
the same examples (labels: the intents, with `faq/<key>` for FAQ questions), and blends its
confidences with DIET's intent ranking and the ResponseSelector's FAQ ranking, the reader
weighted `reader_weight`. The FallbackClassifier after it and `action_answer_faq` then judge the
blended confidence: a message the two readers disagree on falls back to "did you mean ...?".

It also finds a second FAQ question ("do you take insurance and do I tip?"): the message is split
into clauses at "?", ";", "and", "also", "plus" and "btw", and each clause is read alone. When two
clauses ask about two different topics, each read with at least `min_clause_confidence`, and
the blended FAQ ranking also has both among its top `max_selector_rank`, the message gets the
property `faq_topics`: both topics, the likelier first, named as the `faq_topic` slot names them
(without `faq/`). Both readers agreeing keeps a split single question ("before, during and
after the massage") from becoming two.

Cost: about 0.5 ms a message, 1 ms with two clauses (10 s to train).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE,
    RESPONSE_SELECTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FAQ_TOPICS = "faq_topics"
READER_WEIGHT = "reader_weight"
MIN_CLAUSE_CONFIDENCE = "min_clause_confidence"
MAX_SELECTOR_RANK = "max_selector_rank"
RETRIEVAL_INTENT = "retrieval_intent"
RANKING_LENGTH = 10
_CLASSIFIER_FILE = "reader.skops"
# The one non-sklearn type the fitted pipeline holds (TF-IDF weights); anything else fails loading.
_TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]

_CLAUSE_BREAK = re.compile(r"[?;]+|\b(?:and|also|plus|btw)\b", re.IGNORECASE)
_MIN_CLAUSE_WORDS = 2


def clauses(text: str) -> List[str]:
    """The parts of a message that could each be a question of their own."""
    parts = (part.strip(" ,.!") for part in _CLAUSE_BREAK.split(text))
    return [part for part in parts if len(part.split()) >= _MIN_CLAUSE_WORDS]


def _reader():
    """Word and character n-grams, one-vs-rest logistic regression: 5 s to train (lbfgs took 40)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline, make_union

    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        ),
        SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=30, tol=None, random_state=42),
    )


class _FastReader:
    """The fitted pipeline's predict_proba, computed directly from its vocabularies and weights.

    Through sklearn a message took 25 ms here (input checks, joblib, and a copy of the
    transposed weights on every call); this takes about 0.3 ms and gives the same numbers
    (tests/test_second_reader.py).
    """

    def __init__(self, pipeline):
        features, linear = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.classes = list(linear.classes_)
        self._vectorizers = [
            (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_)
            for _, vectorizer in features.transformer_list
        ]
        offsets = np.cumsum([0] + [len(vocabulary) for _, vocabulary, _ in self._vectorizers])
        self._offsets = offsets[:-1]
        self._weights = np.ascontiguousarray(linear.coef_.T)
        self._intercept = linear.intercept_

    def _scores(self, text: str) -> np.ndarray:
        scores = self._intercept.copy()
        for (analyze, vocabulary, idf), offset in zip(self._vectorizers, self._offsets, strict=True):
            counts: Dict[int, int] = {}
            for term in analyze(text):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.int64)
            # TF-IDF as the vectorizer computes it: sublinear term frequency, idf, unit length.
            values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * idf[indices]
            values /= np.linalg.norm(values)
            scores += values @ self._weights[indices + offset]
        return scores

    def probabilities(self, texts: List[str]) -> List[Dict[str, float]]:
        """Each text's probability of each label, normalized one-vs-rest as sklearn does."""
        read = []
        for text in texts:
            likelihoods = 1.0 / (1.0 + np.exp(-self._scores(text)))
            read.append(dict(zip(self.classes, likelihoods / likelihoods.sum(), strict=True)))
        return read


def _blend(first: Dict[str, float], second: Dict[str, float], weight: float) -> List[tuple]:
    """(name, confidence) of two rankings averaged, `weight` on the second, best first."""
    blended = {name: (1 - weight) * first.get(name, 0.0) + weight * second.get(name, 0.0) for name in {*first, *second}}
    return sorted(blended.items(), key=lambda item: -item[1])[:RANKING_LENGTH]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SecondReader(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {RETRIEVAL_INTENT: "faq", READER_WEIGHT: 0.8, MIN_CLAUSE_CONFIDENCE: 0.5, MAX_SELECTOR_RANK: 3}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, reader=None):
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.reader = reader
        self._fast = _FastReader(reader) if reader is not None else None
        self._faq_prefix = f"{config[RETRIEVAL_INTENT]}/"

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecondReader:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio

        examples = training_data.intent_examples
        self.reader = _reader().fit(
            [example.get(TEXT) for example in examples],
            [example.get(INTENT_RESPONSE_KEY) or example.get(INTENT) for example in examples],
        )
        self._fast = _FastReader(self.reader)
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.reader, directory / _CLASSIFIER_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SecondReader:
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            reader = sio.load(directory / _CLASSIFIER_FILE, trusted=_TRUSTED_TYPES)
        return cls(config, model_storage, resource, reader)

    def _read(self, texts: List[str]) -> List[Dict[str, float]]:
        return self._fast.probabilities(texts)

    def _blend_intents(self, message: Message, read: Dict[str, float]) -> None:
        dietary = {i[INTENT_NAME_KEY]: i[PREDICTED_CONFIDENCE_KEY] for i in message.get(INTENT_RANKING_KEY) or []}
        by_intent: Dict[str, float] = {}
        # Labels read below the uniform share are noise; summed over the many FAQ keys they
        # would make "hi" look 10% like an FAQ question.
        floor = 1.0 / len(read)
        for label, confidence in read.items():
            if confidence < floor:
                continue
            intent = self.config[RETRIEVAL_INTENT] if label.startswith(self._faq_prefix) else label
            by_intent[intent] = by_intent.get(intent, 0.0) + confidence
        ranking = [
            {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: float(confidence)}
            for name, confidence in _blend(dietary, by_intent, self.config[READER_WEIGHT])
        ]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _blend_faq(self, message: Message, read: Dict[str, float]) -> List[str]:
        """The blended FAQ ranking, written where the ResponseSelector writes its own."""
        retrieval_intent = self.config[RETRIEVAL_INTENT]
        selectors = message.get(RESPONSE_SELECTOR) or {"all_retrieval_intents": [retrieval_intent]}
        selected = selectors.get(retrieval_intent) or {}
        picked = {c[INTENT_RESPONSE_KEY]: c[PREDICTED_CONFIDENCE_KEY] for c in selected.get("ranking", [])}
        faq_total = sum(c for label, c in read.items() if label.startswith(self._faq_prefix)) or 1.0
        faq_read = {label: c / faq_total for label, c in read.items() if label.startswith(self._faq_prefix)}
        ranking = _blend(picked, faq_read, self.config[READER_WEIGHT])
        best, confidence = ranking[0]
        response = dict(selected.get(RESPONSE) or {})
        if response.get(INTENT_RESPONSE_KEY) != best:
            response = {"id": None, "responses": None, "utter_action": f"utter_{best}", INTENT_RESPONSE_KEY: best}
        response[PREDICTED_CONFIDENCE_KEY] = float(confidence)
        selectors[retrieval_intent] = {
            RESPONSE: response,
            "ranking": [{"id": None, PREDICTED_CONFIDENCE_KEY: float(c), INTENT_RESPONSE_KEY: k} for k, c in ranking],
        }
        message.set(RESPONSE_SELECTOR, selectors, add_to_output=True)
        return [key[len(self._faq_prefix) :] for key, _ in ranking[: self.config[MAX_SELECTOR_RANK]]]

    def _two_topics(self, text: str, likeliest: List[str]) -> Optional[List[str]]:
        parts = clauses(text)
        if len(parts) < 2:
            return None
        topics = set()
        for read in self._read(parts):
            label, confidence = max(read.items(), key=lambda item: item[1])
            if label.startswith(self._faq_prefix) and confidence >= self.config[MIN_CLAUSE_CONFIDENCE]:
                topics.add(label[len(self._faq_prefix) :])
        if len(topics) < 2 or not topics <= set(likeliest):
            return None
        return sorted(topics, key=likeliest.index)[:2]

    def process(self, messages: List[Message]) -> List[Message]:
        if self._fast is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            read = self._read([text])[0]
            self._blend_intents(message, read)
            if message.get(INTENT)[INTENT_NAME_KEY] != self.config[RETRIEVAL_INTENT]:
                continue
            topics = self._two_topics(text, self._blend_faq(message, read))
            if topics:
                message.set(FAQ_TOPICS, topics, add_to_output=True)
        return messages
