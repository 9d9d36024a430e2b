"""How long the Rasa server waits for the action server: seconds, not Rasa's 300.

Rasa gives an action call 300 s (`rasa.core.constants.DEFAULT_REQUEST_TIMEOUT`), so a hung action
server left a visitor without an answer for minutes. After ACTION_CALL_TIMEOUT_SECONDS the call
fails, Rasa drops that action's events and goes on, and the channel apologises for the turn
that said nothing (channels.rest, channels.formatting); the conversation goes on once the
action server answers again. In production the replicas call nginx, which gives each action
server ACTION_TRY_SECONDS (deploy/nginx.conf.template) and then tries the other one, so this
deadline is only reached when no action server answers.

The REST channel installs this when the server starts (every credentials file has it).
"""

import rasa.core.actions.action

# Our slowest action's p99 is 0.15 s (the booking confirmation under the 50-user load test of
# tests/test_prod_mode.py: every action call's p99 0.05 s, the slowest call 0.40 s, from nginx's
# log); nginx gives each of the 2 action servers 2 s (ACTION_TRY_SECONDS), so two tries and the
# connection fit in this.
ACTION_CALL_TIMEOUT_SECONDS = 5


def install() -> None:
    # RemoteAction.run passes this module global as its request timeout.
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = ACTION_CALL_TIMEOUT_SECONDS
