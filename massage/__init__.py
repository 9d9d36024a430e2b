"""Domain logic and data layer of the West Hollywood mobile-massage assistant.

Plain Python: nothing here imports Rasa, so it is unit-tested on its own.
"""
