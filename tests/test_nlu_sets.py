"""The evaluation sets measure what they claim: unseen sentences, enough of each kind, real labels."""

from pathlib import Path

import pytest

from evaluation.nlu_sets import label_counts, normalized, overlap, rasa_nlu_examples, training_files, unseen_messages
from massage import faq_topics

ROOT = Path(__file__).resolve().parent.parent
TRAINING = rasa_nlu_examples(training_files(ROOT))
HOLDOUT = rasa_nlu_examples([ROOT / "tests" / "nlu_holdout.yml"])
UNSEEN = unseen_messages(ROOT / "tests" / "nlu_unseen.yml")


@pytest.mark.parametrize("evaluation_set", [[text for _, text in HOLDOUT], [text for *_, text in UNSEEN]],
                         ids=["holdout", "unseen"])
def test_no_evaluation_sentence_is_trained_on(evaluation_set):
    assert overlap(evaluation_set, [text for _, text in TRAINING]) == set()


def test_sentences_are_compared_without_case_punctuation_or_annotations():
    assert normalized("How much for [90 minutes](duration)?") == normalized("how much for 90 minutes")
    assert overlap(["Do you take Insurance?!"], ["do you take insurance"]) == {"do you take insurance"}


def test_the_unseen_set_has_200_messages_and_50_that_no_topic_covers():
    assert len(UNSEEN) >= 200
    assert sum(expected == ["out_of_scope"] for _, expected, _ in UNSEEN) >= 50
    assert {voice for voice, _, _ in UNSEEN} >= {"long", "typos", "indirect", "two_topics", "no_topic"}


def test_every_expected_outcome_is_something_the_model_is_trained_to_say():
    trained = set(label_counts(TRAINING))
    expected = {label for _, labels, _ in UNSEEN for label in labels} | {label for label, _ in HOLDOUT}
    assert expected - trained == set()


def test_every_faq_topic_has_15_training_examples_and_a_title():
    counts = {label.split("/", 1)[1]: n for label, n in label_counts(TRAINING).items() if label.startswith("faq/")}
    assert {topic: n for topic, n in counts.items() if n < 15} == {}
    assert set(counts) == set(faq_topics.TITLES)
