"""Notices about bookings: confirmations, therapist notices and reminders, sent through an outbox.

`outbox.record_change` writes them in the booking change's own transaction; `python -m
notices.worker` delivers them (email with a calendar invitation, Telegram, Messenger, WhatsApp,
SMS) with retries; `python -m notices.status` shows staff what is waiting and what failed.
Plain Python, no Rasa.
"""
