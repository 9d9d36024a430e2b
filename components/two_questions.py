"""Finds the second FAQ question in a message that asks two ("do you take insurance and do I tip?").

The ResponseSelector reads a message as one FAQ question. This component splits a message that
could be an FAQ question (one the selector ranked) into clauses at "?", ";", "and", "also",
"plus" and "btw", and reads each clause with a small TF-IDF + logistic-regression classifier
trained on the same FAQ examples (every other intent's examples form one "not an FAQ question"
class). When two clauses ask about two different topics, each read with at least
`min_clause_confidence`, and the selector also ranks both among its top `max_selector_rank`, the
message gets the property `faq_topics`: both topics, the selector's likelier first, named as the
`faq_topic` slot names them (without `faq/`). Two readers agreeing keeps a split single question
("before, during and after the massage") from becoming two. Messages of one clause cost nothing.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

FAQ_TOPICS = "faq_topics"
NOT_AN_FAQ_QUESTION = "-"
MIN_CLAUSE_CONFIDENCE = "min_clause_confidence"
MAX_SELECTOR_RANK = "max_selector_rank"
RETRIEVAL_INTENT = "retrieval_intent"
_CLASSIFIER_FILE = "clause_classifier.skops"
# The one non-sklearn type the fitted pipeline holds (TF-IDF weights); anything else fails loading.
_TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]

_CLAUSE_BREAK = re.compile(r"[?;]+|\b(?:and|also|plus|btw)\b", re.IGNORECASE)
_MIN_CLAUSE_WORDS = 2


def clauses(text: str) -> List[str]:
    """The parts of a message that could each be a question of their own."""
    parts = (part.strip(" ,.!") for part in _CLAUSE_BREAK.split(text))
    return [part for part in parts if len(part.split()) >= _MIN_CLAUSE_WORDS]


def _clause_classifier():
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


def _probabilities(classifier, texts: List[str]) -> np.ndarray:
    """The pipeline's predict_proba, computed directly: sklearn's checks cost 10 ms here, the sums 0.01."""
    features, linear = classifier.steps[0][1], classifier.steps[-1][1]
    scores = np.asarray(features.transform(texts) @ linear.coef_.T) + linear.intercept_
    likelihoods = 1.0 / (1.0 + np.exp(-scores))
    return likelihoods / likelihoods.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TwoQuestionsDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {RETRIEVAL_INTENT: "faq", MIN_CLAUSE_CONFIDENCE: 0.5, MAX_SELECTOR_RANK: 3}

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, classifier=None):
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TwoQuestionsDetector:
        return cls(config, model_storage, resource)

    def _topic(self, example: Message) -> str:
        key = example.get(INTENT_RESPONSE_KEY) if example.get(INTENT) == self.config[RETRIEVAL_INTENT] else None
        return key.split("/", 1)[1] if key else NOT_AN_FAQ_QUESTION

    def train(self, training_data: TrainingData) -> Resource:
        import skops.io as sio

        examples = training_data.intent_examples
        self.classifier = _clause_classifier().fit(
            [example.get(TEXT) for example in examples], [self._topic(example) for example in examples]
        )
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.classifier, directory / _CLASSIFIER_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TwoQuestionsDetector:
        import skops.io as sio

        with model_storage.read_from(resource) as directory:
            classifier = sio.load(directory / _CLASSIFIER_FILE, trusted=_TRUSTED_TYPES)
        return cls(config, model_storage, resource, classifier)

    def _selector_ranking(self, message: Message) -> List[str]:
        selected = (message.get("response_selector") or {}).get(self.config[RETRIEVAL_INTENT], {})
        keys = (candidate.get(INTENT_RESPONSE_KEY) or "" for candidate in selected.get("ranking", []))
        return [key.split("/", 1)[-1] for key in keys][: self.config[MAX_SELECTOR_RANK]]

    def two_topics(self, message: Message) -> Optional[List[str]]:
        parts = clauses(message.get(TEXT) or "")
        ranking = self._selector_ranking(message)
        if len(parts) < 2 or not ranking:
            return None
        topics = set()
        for probabilities in _probabilities(self.classifier, parts):
            best = probabilities.argmax()
            topic = self.classifier.classes_[best]
            if topic != NOT_AN_FAQ_QUESTION and probabilities[best] >= self.config[MIN_CLAUSE_CONFIDENCE]:
                topics.add(topic)
        if len(topics) < 2 or not topics <= set(ranking):
            return None
        return sorted(topics, key=ranking.index)[:2]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            topics = self.two_topics(message) if self.classifier is not None else None
            if topics:
                message.set(FAQ_TOPICS, topics, add_to_output=True)
        return messages
