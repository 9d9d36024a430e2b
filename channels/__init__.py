"""The project's Rasa input channels, each a hardened subclass of Rasa's own.

Credentials name them by dotted class name (e.g. `channels.telegram.TelegramInput`); each
keeps Rasa's webhook path (/webhooks/<channel name>/webhook).
"""
