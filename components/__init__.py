"""What the Rasa server loads from the project to run the model: NLU components (spacy_entities;
clock_times, which keeps "12:30" out of the duration entity; faq_selector, a ResponseSelector
that runs only on messages that could be FAQ questions) and a TED policy that runs its
inference only when it could be chosen (lazy_ted).

Loading the model imports this package, so it is also where Rasa core's per-call costs are
swapped for equivalents that do less: calls to the action server carry this turn's events and
reuse their connections (action_calls), the check of its replies builds its JSON schema
validator once (action_replies), the models' TensorFlow inference calls its compiled function
directly (concrete_predict), the dialogue states of a conversation are replayed only from
the last new event (dialogue_states), and the ensemble's choice leaves TED's prediction unread
when it can't win (lazy_ted).
"""

from components import action_calls, action_replies, concrete_predict, dialogue_states, lazy_ted

action_calls.install()
action_replies.install()
concrete_predict.install()
dialogue_states.install()
lazy_ted.install()
