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

import os

import rasa.core.actions.action

# Measured from nginx's log of every action call in tests/test_prod_mode.py (bursts of 24
# messages, 50 users filling booking forms: slot validation and availability searches) on the
# shared 2-core build machine at load averages of 10 to 14: p50 0.05 s, p99 0.71 s, slowest
# 2.45 s (472 calls). nginx gives each action server 3 s (run-prod.sh, ACTION_TRY_SECONDS), four
# times that p99; `make run` waits 5 s; run-prod.sh sets this to both of nginx's tries plus a second.
ACTION_CALL_TIMEOUT_SECONDS = float(os.environ.get("ACTION_CALL_TIMEOUT_SECONDS", 5))


def install() -> None:
    # RemoteAction.run passes this module global as its request timeout.
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = ACTION_CALL_TIMEOUT_SECONDS
