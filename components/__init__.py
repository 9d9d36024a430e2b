"""What the Rasa server loads from the project to run the model: custom NLU components.

Loading the model imports this package, so it is also where two of Rasa core's per-call costs
are swapped for equivalents that do the work once: the check of action server replies builds
its JSON schema validator once (action_replies), and the dialogue states of a conversation are
replayed only from the last new event (dialogue_states).
"""

from components import action_replies, dialogue_states

action_replies.install()
dialogue_states.install()
