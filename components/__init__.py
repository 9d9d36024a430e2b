"""What the Rasa server loads from the project to run the model: a custom NLU component
(spacy_entities) and a TED policy that runs its inference only when it could be chosen (lazy_ted).

Loading the model imports this package, so it is also where Rasa core's per-call costs are
swapped for equivalents that do less: the check of action server replies builds its JSON schema
validator once (action_replies), the dialogue states of a conversation are replayed only from
the last new event (dialogue_states), and the ensemble's choice leaves TED's prediction unread
when it can't win (lazy_ted).
"""

from components import action_replies, dialogue_states, lazy_ted

action_replies.install()
dialogue_states.install()
lazy_ted.install()
