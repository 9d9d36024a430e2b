"""What the Rasa server loads from the project to run the model: custom NLU components.

Loading the model imports this package, so it is also where the server's check of action
server replies is swapped for one that builds its JSON schema validator once (action_replies).
"""

from components import action_replies

action_replies.install()
